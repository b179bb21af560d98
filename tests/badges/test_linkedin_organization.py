"""LinkedIn's add-to-profile link names the issuer's LinkedIn page when the issuer set its id."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from issuers import services
from issuers.models import Membership, Role
from tests.badges.ob2_world import badge_record, issued_award, make_issuer, make_version
from tests.issuers.factories import UserFactory

pytestmark = pytest.mark.django_db


def linkedin_query(client, award) -> dict:
    url = reverse("badges:credential-page", kwargs={"public_id": award.public_id})
    page = client.get(url).content.decode()
    href = re.search(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', page).group(1)
    return parse_qs(urlsplit(href.replace("&amp;", "&")).query)


def an_award(**issuer_fields):
    issuer = make_issuer(slug="minato-u", name_ja="みなと大学", **issuer_fields)
    return badge_record(issued_award(make_version(issuer))).award


def test_the_link_carries_the_issuers_linkedin_organization_id(client):
    award = an_award(linkedin_organization_id="1337")

    query = linkedin_query(client, award)

    assert query["organizationId"] == ["1337"]
    assert query["organizationName"] == ["みなと大学"]  # LinkedIn's fallback text


def test_without_an_id_the_link_names_the_organisation_only(client):
    query = linkedin_query(client, an_award())

    assert "organizationId" not in query
    assert query["organizationName"] == ["みなと大学"]


@pytest.mark.parametrize("value", ["12a4", "１２３", "-5", "https://linkedin.com/company/1"])
def test_an_organization_id_that_is_not_digits_is_refused_with_a_clear_error(value):
    issuer = make_issuer(slug="minato-u")
    owner = UserFactory(username="owner")
    Membership.objects.create(issuer=issuer, user=owner, role=Role.OWNER)

    with pytest.raises(ValidationError) as raised:
        services.update_issuer_profile(actor=owner, issuer=issuer, linkedin_organization_id=value)

    messages = raised.value.message_dict["linkedin_organization_id"]
    assert any("LinkedIn" in message and "0-9" in message for message in messages)
    issuer.refresh_from_db()
    assert issuer.linkedin_organization_id == ""


def test_an_owner_sets_the_id_in_the_admin_and_sees_the_japanese_error_for_letters(client):
    issuer = make_issuer(slug="minato-u")
    owner = UserFactory(username="owner")
    Membership.objects.create(issuer=issuer, user=owner, role=Role.OWNER)
    client.force_login(owner)
    url = reverse("admin:issuers_issuer_change", args=[issuer.pk])
    page = client.get(url)
    assert "linkedin.com/company/" in page.content.decode()  # the help text says where to look
    from tests.issuers.test_issuers_admin import form_data

    refused = client.post(url, form_data(page) | {"linkedin_organization_id": "abc"})
    saved = client.post(url, form_data(page) | {"linkedin_organization_id": "90210"})

    assert refused.status_code == 200
    assert "LinkedIn の組織 ID は数字" in refused.content.decode()
    assert saved.status_code == 302
    issuer.refresh_from_db()
    assert issuer.linkedin_organization_id == "90210"
