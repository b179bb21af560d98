"""The issuers admin: scoped to the staff member's issuers, writes only through services."""

import pytest
from django.forms import FileField
from django.urls import reverse

from issuers import services
from issuers.models import AuditEvent, ExternalQualityAssurance, Issuer, Membership, Role
from issuers.models import SigningKey as Key
from tests.issuers.factories import MembershipFactory, UserFactory

CHANGELIST = reverse("admin:issuers_issuer_changelist")
AUDIT_CHANGELIST = reverse("admin:issuers_auditevent_changelist")


def change_url(issuer):
    return reverse("admin:issuers_issuer_change", args=[issuer.pk])


def form_data(response) -> dict:
    """The change form's current values, as the browser would post them back."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None or value is False or isinstance(field, FileField):
                continue
            data[form.add_prefix(name)] = value
    return data


@pytest.fixture
def client_a(client, owner_a, owner_b):
    client.force_login(owner_a)
    return client


def test_a_staff_member_sees_only_their_own_issuers_in_the_changelist(client_a, issuer_b):
    response = client_a.get(CHANGELIST)

    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [Issuer.objects.get(slug="issuer-a")]
    assert issuer_b.name_ja not in response.content.decode()


def test_another_issuers_change_page_is_not_found(client_a, issuer_a, issuer_b):
    assert client_a.get(change_url(issuer_b)).status_code == 404
    assert client_a.post(change_url(issuer_b), {"name_ja": "乗っ取り"}).status_code == 404
    assert client_a.get(change_url(issuer_a)).status_code == 200
    assert Issuer.objects.get(pk=issuer_b.pk).name_ja == "乙学会"


def test_only_platform_administrators_may_add_issuers(client_a, superuser, client):
    assert client_a.get(reverse("admin:issuers_issuer_add")).status_code == 403
    client.force_login(superuser)
    assert client.get(reverse("admin:issuers_issuer_add")).status_code == 200


def test_a_platform_administrator_creates_an_issuer_through_the_service(client, superuser):
    client.force_login(superuser)
    page = client.get(reverse("admin:issuers_issuer_add"))
    data = form_data(page) | {
        "slug": "new-univ",
        "kind": "university",
        "name_ja": "新設大学",
        "url": "https://new.example.ac.jp/",
        "email": "mc@new.example.ac.jp",
        "country": "jp",
    }

    response = client.post(reverse("admin:issuers_issuer_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    issuer = Issuer.objects.get(slug="new-univ")
    assert issuer.country == "JP"
    assert AuditEvent.objects.filter(action="issuer.create", issuer=issuer).exists()


def test_an_owner_edits_the_profile_through_the_audited_service(client_a, issuer_a, owner_a):
    data = form_data(client_a.get(change_url(issuer_a))) | {
        "name_en": "Alpha University of Science",
        "qa_standard_name_ja": "甲大学質保証方針",
        "qa_standard_uri": "https://a.example.ac.jp/qa",
    }

    response = client_a.post(change_url(issuer_a), data)

    assert response.status_code == 302
    issuer_a.refresh_from_db()
    assert issuer_a.name_en == "Alpha University of Science"
    assert issuer_a.qa_standard_uri == "https://a.example.ac.jp/qa"
    actions = set(AuditEvent.objects.filter(actor=owner_a).values_list("action", flat=True))
    assert actions == {"issuer.update", "issuer.quality_assurance.update"}


def test_an_invalid_country_is_shown_as_a_form_error(client_a, issuer_a):
    data = form_data(client_a.get(change_url(issuer_a))) | {"country": "XX"}

    response = client_a.post(change_url(issuer_a), data)

    assert response.status_code == 200
    assert "country" in response.context["adminform"].form.errors
    assert not AuditEvent.objects.filter(action="issuer.update").exists()


def test_an_owner_adds_staff_by_user_name_through_the_service(client_a, issuer_a):
    newcomer = UserFactory(username="newcomer")
    data = form_data(client_a.get(change_url(issuer_a)))
    row = int(data["memberships-TOTAL_FORMS"])
    data |= {
        "memberships-TOTAL_FORMS": row + 1,
        f"memberships-{row}-person": "newcomer",
        f"memberships-{row}-role": Role.ASSESSOR,
    }

    response = client_a.post(change_url(issuer_a), data)

    assert response.status_code == 302
    assert Membership.objects.get(issuer=issuer_a, user=newcomer).role == Role.ASSESSOR
    assert AuditEvent.objects.filter(action="membership.create", issuer=issuer_a).exists()


def test_only_active_staff_accounts_can_be_given_a_role(client_a, issuer_a):
    UserFactory(username="learner", is_staff=False)
    data = form_data(client_a.get(change_url(issuer_a)))
    row = int(data["memberships-TOTAL_FORMS"])
    data |= {
        "memberships-TOTAL_FORMS": row + 1,
        f"memberships-{row}-person": "learner",
        f"memberships-{row}-role": Role.VIEWER,
    }

    response = client_a.post(change_url(issuer_a), data)

    assert response.status_code == 200
    assert "person" in response.context["inline_admin_formsets"][0].formset.forms[row].errors
    assert not Membership.objects.filter(user__username="learner").exists()


def test_the_last_owner_cannot_be_demoted_in_the_admin(client_a, issuer_a, owner_a):
    data = form_data(client_a.get(change_url(issuer_a)))
    data["memberships-0-role"] = Role.VIEWER

    response = client_a.post(change_url(issuer_a), data)

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.non_form_errors()
    assert Membership.objects.get(issuer=issuer_a, user=owner_a).role == Role.OWNER


def test_an_owner_records_external_qa_through_the_service(client_a, issuer_a):
    data = form_data(client_a.get(change_url(issuer_a))) | {
        "external_qa-TOTAL_FORMS": 1,
        "external_qa-0-kind": "certification",
        "external_qa-0-body_name_ja": "認証機構",
        "external_qa-0-valid_from": "2024-04-01",
        "external_qa-0-valid_until": "2029-03-31",
    }

    response = client_a.post(change_url(issuer_a), data)

    assert response.status_code == 302
    record = ExternalQualityAssurance.objects.get(issuer=issuer_a)
    assert record.body_name_ja == "認証機構"
    assert AuditEvent.objects.filter(action="external_qa.add", target_id=str(record.pk)).exists()


def test_a_viewer_sees_the_issuer_read_only_and_cannot_post(client, issuer_a):
    viewer = MembershipFactory(issuer=issuer_a, role=Role.VIEWER).user
    client.force_login(viewer)

    page = client.get(change_url(issuer_a))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert client.post(change_url(issuer_a), {"name_ja": "改名"}).status_code == 403
    assert client.get(CHANGELIST).context["action_form"] is None  # no key actions offered


def test_staff_without_membership_cannot_open_the_issuers_admin(client, issuer_a):
    client.force_login(UserFactory(username="no-role"))
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(AUDIT_CHANGELIST).status_code == 403


def test_key_actions_generate_and_rotate_keys_only_for_own_issuers(client_a, issuer_a, issuer_b):
    offered = dict(client_a.get(CHANGELIST).context["action_form"].fields["action"].choices)
    assert {"generate_missing_keys", "rotate_keys"} <= set(offered)
    selected = [issuer_a.pk, issuer_b.pk]  # B is outside the owner's queryset
    client_a.post(CHANGELIST, {"action": "generate_missing_keys", "_selected_action": selected})
    assert Key.objects.filter(issuer=issuer_a, status="active").count() == 2

    client_a.post(CHANGELIST, {"action": "rotate_keys", "_selected_action": selected})

    assert Key.objects.filter(issuer=issuer_a, status="active").count() == 2
    assert Key.objects.filter(issuer=issuer_a, status="retired").count() == 2
    assert not Key.objects.filter(issuer=issuer_b).exists()
    assert AuditEvent.objects.filter(action="signing_key.rotate", issuer=issuer_a).count() == 2


def test_the_change_page_shows_public_keys_but_no_private_key(client_a, issuer_a):
    active = services.ensure_signing_keys(issuer_a)

    content = client_a.get(change_url(issuer_a)).content.decode()

    assert active["ed25519"].public_key_multibase in content
    assert active["rsa2048"].key_id in content
    assert "PRIVATE" not in content
    for key in Key.objects.filter(issuer=issuer_a):
        assert bytes(key.encrypted_private_key).decode()[:40] not in content


def test_the_audit_log_lists_only_own_issuers_events_and_is_read_only(
    client_a, issuer_a, issuer_b, superuser
):
    services.update_issuer_profile(actor=superuser, issuer=issuer_a, name_en="A renamed")
    services.update_issuer_profile(actor=superuser, issuer=issuer_b, name_en="B renamed")
    event_a = AuditEvent.objects.get(issuer=issuer_a)
    event_b = AuditEvent.objects.get(issuer=issuer_b)

    listing = client_a.get(AUDIT_CHANGELIST, {"q": "issuer.update"})

    assert list(listing.context["cl"].queryset) == [event_a]
    change = reverse("admin:issuers_auditevent_change", args=[event_a.pk])
    assert client_a.get(change).status_code == 200
    assert client_a.post(change, {"action": "forged"}).status_code == 403
    other = reverse("admin:issuers_auditevent_change", args=[event_b.pk])
    assert client_a.get(other).status_code == 404
    assert client_a.get(reverse("admin:issuers_auditevent_add")).status_code == 403
    delete = reverse("admin:issuers_auditevent_delete", args=[event_a.pk])
    assert client_a.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event_a.pk, action="issuer.update").exists()
