"""An award's admin page shows its history: its own audit events and those of its badge, each
linked to the event, newest first, in the viewer's time zone; never another award's events."""

import datetime

import pytest
from django.urls import reverse

from credentials import services
from issuers.models import AuditEvent, Membership, Role
from issuers.selectors import audit_events_for
from issuers.services import record_audit
from tests.badges.ob2_world import badge_record, issued_award, make_issuer, make_version
from tests.issuers.factories import UserFactory

pytestmark = pytest.mark.django_db
ISSUED_AT = datetime.datetime(2026, 4, 1, 3, 4, 5, tzinfo=datetime.UTC)


@pytest.fixture
def owner():
    return UserFactory(username="owner")


@pytest.fixture
def award(owner):
    issuer = make_issuer(slug="minato-u", name_ja="みなと大学")
    Membership.objects.create(issuer=issuer, user=owner, role=Role.OWNER)
    award = issued_award(make_version(issuer), email="hanako@example.ac.jp")
    issued = record_audit(actor=owner, action="award.issue", target=award, issuer=issuer)
    AuditEvent.objects.filter(pk=issued.pk).update(created_at=ISSUED_AT)
    record = badge_record(award)
    record_audit(
        actor=None, action="badge.issue", target=record, issuer=issuer,
        details={"award": str(award.public_id)},
    )  # fmt: skip
    services.revoke_award(actor=owner, award=award, reason="不正が判明したため")
    return award


@pytest.fixture
def another_award(award, owner):
    issuer = award.programme_version.programme.issuer
    other = issued_award(make_version(issuer), email="taro@example.ac.jp")
    record_audit(actor=owner, action="award.issue", target=other, issuer=issuer)
    return other


def test_the_selector_gathers_the_awards_own_and_its_badges_events(award, another_award):
    actions = list(audit_events_for(award).values_list("action", flat=True))

    assert actions == ["award.revoke", "badge.issue", "award.issue"]


def test_the_selector_with_a_user_keeps_to_the_issuers_they_may_view(award):
    stranger = UserFactory(username="stranger")

    assert not audit_events_for(award, user=stranger).exists()


def test_the_award_page_lists_its_history_with_links_to_each_event(client, owner, award):
    client.force_login(owner)

    page = client.get(reverse("admin:credentials_award_change", args=[award.pk])).content.decode()

    history = page[page.index('data-section="history"') :]
    assert "<h2>履歴</h2>" in history
    assert history.index("授与を取り消し") < history.index("授与を発行")
    assert "バッジに署名・画像へ埋め込み" in history
    assert "時刻（Asia/Tokyo）" in history
    assert '<time datetime="2026-04-01T12:04:05+09:00">2026-04-01 12:04:05</time>' in history
    assert "システム（自動）" in history
    for event in audit_events_for(award):
        assert reverse("admin:issuers_auditevent_change", args=[event.pk]) in history


def test_another_awards_events_are_not_in_the_history(client, owner, award, another_award):
    client.force_login(owner)
    other_event = AuditEvent.objects.get(target_id=str(another_award.pk), action="award.issue")

    page = client.get(reverse("admin:credentials_award_change", args=[award.pk])).content.decode()

    assert reverse("admin:issuers_auditevent_change", args=[other_event.pk]) not in page


def test_the_history_follows_the_viewers_zone_in_english(client, owner, award):
    client.force_login(owner)
    client.cookies["tz"] = "Europe/Berlin"

    page = client.get(
        reverse("admin:credentials_award_change", args=[award.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "Time (Europe/Berlin)" in page and "Award revoked" in page
    assert '<time datetime="2026-04-01T05:04:05+02:00">2026-04-01 05:04:05</time>' in page
