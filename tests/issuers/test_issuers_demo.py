"""The demo loader: believable data, staff who can log in, idempotent."""

from django.contrib.auth import get_user_model
from django.core.management import call_command

from issuers import selectors
from issuers.demo import DEMO_PASSWORD, load_demo_issuers
from issuers.models import AuditEvent, ExternalQualityAssurance, Issuer, Membership, SigningKey
from issuers.permissions import Action


def snapshot():
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (
            Issuer,
            Membership,
            SigningKey,
            ExternalQualityAssurance,
            AuditEvent,
            get_user_model(),
        )
    }


def test_loading_the_demo_twice_changes_nothing(db):
    first = load_demo_issuers()
    before = snapshot()

    second = load_demo_issuers()

    assert snapshot() == before
    assert first.issuers == second.issuers
    assert first.users == second.users


def test_the_demo_university_has_qa_staff_in_every_role_and_keys(db):
    demo = load_demo_issuers()
    toto = demo.issuers["toto-univ"]

    assert (toto.name_ja, toto.name_en, toto.kind) == ("東都大学", "Toto University", "university")
    assert toto.qa_standard_uri.startswith("https://")
    niad = toto.external_qa.get()
    assert (niad.kind, niad.scheme_ja) == ("accreditation", "大学機関別認証評価")
    assert "大学改革支援・学位授与機構" in niad.body_name_ja
    roles = dict(toto.memberships.values_list("user__username", "role"))
    assert roles == {
        "toto-owner": "owner",
        "toto-designer": "designer",
        "toto-assessor": "assessor",
        "toto-issuer": "issuer",
        "toto-viewer": "viewer",
    }
    assert {key.algorithm for key in selectors.published_keys(toto)} == {"ed25519", "rsa2048"}


def test_the_demo_society_has_its_own_staff_who_cannot_see_the_university(db):
    demo = load_demo_issuers()
    jdss_owner = demo.users["jdss-owner"]

    assert demo.issuers["jdss"].kind == "academic_society"
    assert list(selectors.issuers_for_user(jdss_owner, Action.MANAGE_KEYS)) == [
        demo.issuers["jdss"]
    ]


def test_demo_staff_log_in_to_the_admin_with_the_printed_password(db, client):
    load_demo_issuers()

    assert client.login(username="toto-owner", password=DEMO_PASSWORD)
    assert client.get("/admin/issuers/issuer/").status_code == 200


def test_the_management_command_prints_the_demo_password(db, capsys):
    call_command("load_demo_issuers")
    assert DEMO_PASSWORD in capsys.readouterr().out
