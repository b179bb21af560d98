"""Issuer profile, quality assurance and staff services: validation, invariants, audit."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from issuers import selectors, services
from issuers.models import AuditEvent, Issuer, Membership, Role
from tests.issuers.factories import ExternalQualityAssuranceFactory, MembershipFactory, UserFactory


def png(name="logo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "navy").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue())


def test_a_profile_update_is_audited_with_the_changed_field_names(issuer_a, owner_a, rf):
    request = rf.post("/", REMOTE_ADDR="192.0.2.7", HTTP_USER_AGENT="pytest")

    services.update_issuer_profile(
        actor=owner_a, issuer=issuer_a, request=request, name_en="Alpha", email="x@a.example.jp"
    )

    event = AuditEvent.objects.get(action="issuer.update")
    assert event.details == {"changed": ["email", "name_en"]}
    assert (event.actor, event.issuer, event.ip_address) == (owner_a, issuer_a, "192.0.2.7")


def test_an_update_that_changes_nothing_writes_no_audit_event(issuer_a, owner_a):
    services.update_issuer_profile(actor=owner_a, issuer=issuer_a, name_ja=issuer_a.name_ja)
    assert not AuditEvent.objects.exists()


def test_the_slug_cannot_be_changed_because_badge_urls_contain_it(issuer_a, owner_a):
    with pytest.raises(TypeError):
        services.update_issuer_profile(actor=owner_a, issuer=issuer_a, slug="renamed")


def test_only_platform_administrators_change_the_kind_of_issuer(issuer_a, owner_a, superuser):
    with pytest.raises(PermissionDenied):
        services.update_issuer_profile(actor=owner_a, issuer=issuer_a, kind="company")

    services.update_issuer_profile(actor=superuser, issuer=issuer_a, kind="company")
    assert Issuer.objects.get(pk=issuer_a.pk).kind == "company"


@pytest.mark.parametrize("country", ["XX", "JPN", "J1", ""])
def test_a_country_must_be_an_iso_3166_alpha_2_code(issuer_a, owner_a, country):
    with pytest.raises(ValidationError) as excinfo:
        services.update_issuer_profile(actor=owner_a, issuer=issuer_a, country=country)
    assert "country" in excinfo.value.message_dict


def test_a_lower_case_country_code_is_stored_in_upper_case(issuer_a, owner_a):
    services.update_issuer_profile(actor=owner_a, issuer=issuer_a, country="de")
    assert Issuer.objects.get(pk=issuer_a.pk).country == "DE"


def test_a_valid_logo_is_stored_and_an_unsafe_one_refused(issuer_a, owner_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    updated = services.update_issuer_profile(actor=owner_a, issuer=issuer_a, logo=png())
    assert updated.logo.name.startswith("issuers/logos/logo")
    assert (tmp_path / updated.logo.name).exists()

    evil = SimpleUploadedFile(
        "evil.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    )
    with pytest.raises(ValidationError) as excinfo:
        services.update_issuer_profile(actor=owner_a, issuer=issuer_a, logo=evil)
    assert "logo" in excinfo.value.message_dict
    assert Issuer.objects.get(pk=issuer_a.pk).logo.name == updated.logo.name


def test_the_quality_assurance_statement_is_set_and_audited(issuer_a, owner_a):
    services.set_quality_assurance(
        actor=owner_a,
        issuer=issuer_a,
        standard_name_ja="甲大学MC質保証規程",
        standard_name_en="Alpha MC QA Regulations",
        standard_uri="https://a.example.ac.jp/qa",
    )

    issuer = Issuer.objects.get(pk=issuer_a.pk)
    assert issuer.qa_standard_uri == "https://a.example.ac.jp/qa"
    assert AuditEvent.objects.get(action="issuer.quality_assurance.update").details == {
        "changed": ["qa_standard_name_en", "qa_standard_name_ja", "qa_standard_uri"]
    }


def test_a_quality_assurance_uri_needs_a_standard_name(issuer_a, owner_a):
    with pytest.raises(ValidationError):
        services.set_quality_assurance(
            actor=owner_a, issuer=issuer_a, standard_uri="https://a.example.ac.jp/qa"
        )


def test_external_qa_must_not_end_before_it_starts(issuer_a, owner_a):
    with pytest.raises(ValidationError) as excinfo:
        services.add_external_qa(
            actor=owner_a,
            issuer=issuer_a,
            kind="accreditation",
            body_name_ja="評価機構",
            valid_from=datetime.date(2025, 4, 1),
            valid_until=datetime.date(2024, 3, 31),
        )
    assert "valid_until" in excinfo.value.message_dict


def test_external_qa_rejects_unknown_types_and_fields(issuer_a, owner_a):
    with pytest.raises(ValidationError):
        services.add_external_qa(actor=owner_a, issuer=issuer_a, kind="ranking", body_name_ja="X")
    with pytest.raises(TypeError):
        services.add_external_qa(
            actor=owner_a, issuer=issuer_a, kind="endorsement", body_name_ja="X", issuer_id=99
        )


def test_an_owner_cannot_move_another_issuers_qa_record_via_their_own_issuer(
    issuer_a, issuer_b, owner_a
):
    record_b = ExternalQualityAssuranceFactory(issuer=issuer_b)
    record_b.issuer = issuer_a  # a forged in-memory copy must not fool the permission check

    with pytest.raises(PermissionDenied):
        services.remove_external_qa(actor=owner_a, external_qa=record_b)
    assert issuer_b.external_qa.filter(pk=record_b.pk).exists()


def test_the_quality_assurance_descriptor_has_the_jmcf_shape(issuer_a, owner_a):
    services.set_quality_assurance(
        actor=owner_a,
        issuer=issuer_a,
        standard_name_ja="甲大学MC質保証規程",
        standard_uri="https://a.example.ac.jp/qa",
    )
    ExternalQualityAssuranceFactory(
        issuer=issuer_a,
        scheme_en="",
        valid_from=datetime.date(2023, 4, 1),
        valid_until=datetime.date(2030, 3, 31),
    )
    ExternalQualityAssuranceFactory(
        issuer=issuer_a,
        kind="endorsement",
        body_name_ja="期限切れ団体",
        body_name_en="",
        valid_until=datetime.date(2020, 3, 31),
    )

    descriptor = selectors.quality_assurance_descriptor(issuer_a, on=datetime.date(2025, 1, 1))

    assert descriptor == {
        "internal": {"standard": {"ja": "甲大学MC質保証規程"}, "uri": "https://a.example.ac.jp/qa"},
        "external": [
            {
                "type": "accreditation",
                "body": {"ja": "大学改革支援・学位授与機構（大学機関別認証評価）", "en": "NIAD-QE"},
                "uri": "https://www.niad.ac.jp/",
            }
        ],
    }


def test_the_last_owner_can_be_neither_removed_nor_demoted(issuer_a, owner_a):
    with pytest.raises(ValidationError):
        services.remove_membership(actor=owner_a, issuer=issuer_a, user=owner_a)
    with pytest.raises(ValidationError):
        services.set_membership(actor=owner_a, issuer=issuer_a, user=owner_a, role=Role.VIEWER)
    assert Membership.objects.get(issuer=issuer_a, user=owner_a).role == Role.OWNER


def test_an_owner_may_step_down_once_another_owner_exists(issuer_a, owner_a):
    successor = UserFactory(username="successor")
    services.set_membership(actor=owner_a, issuer=issuer_a, user=successor, role=Role.OWNER)

    services.remove_membership(actor=owner_a, issuer=issuer_a, user=owner_a)

    assert list(issuer_a.memberships.values_list("user__username", "role")) == [
        ("successor", Role.OWNER)
    ]
    event = AuditEvent.objects.get(action="membership.remove")
    assert event.details == {"user": "owner-a", "role": Role.OWNER}


def test_an_unknown_role_is_refused_and_nothing_is_saved(issuer_a, owner_a):
    newcomer = UserFactory(username="newcomer")
    with pytest.raises(ValidationError):
        services.set_membership(actor=owner_a, issuer=issuer_a, user=newcomer, role="dean")
    assert not Membership.objects.filter(user=newcomer).exists()


def test_changing_a_role_is_audited_as_an_update(issuer_a, owner_a):
    member = MembershipFactory(issuer=issuer_a, role=Role.VIEWER).user

    services.set_membership(actor=owner_a, issuer=issuer_a, user=member, role=Role.ISSUER)

    event = AuditEvent.objects.get(action="membership.update")
    assert event.details == {"user": member.username, "role": Role.ISSUER}
