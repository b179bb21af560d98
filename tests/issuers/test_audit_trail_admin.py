"""The audit trail as people read it in the admin: labels, linked objects, times in the
viewer's time zone, filters, and the auditors' CSV, all scoped to the viewer's issuers."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from issuers.models import AuditEvent
from issuers.services import record_audit

CHANGELIST = reverse("admin:issuers_auditevent_changelist")
EXPORT = reverse("admin:issuers_auditevent_export")
# 03:04:05 UTC on 1 April: 12:04:05 the same day in Tokyo, 23:04:05 the day before in New York.
MOMENT = datetime.datetime(2026, 4, 1, 3, 4, 5, tzinfo=datetime.UTC)
LATER = datetime.datetime(2026, 4, 10, 9, 0, 0, tzinfo=datetime.UTC)


def event_at(moment, **fields) -> AuditEvent:
    event = record_audit(**fields)
    AuditEvent.objects.filter(pk=event.pk).update(created_at=moment)
    event.refresh_from_db()
    return event


@pytest.fixture
def events(issuer_a, issuer_b, owner_a, owner_b):
    """A's profile change (by A's owner), a system key event at A, and B's profile change."""
    return {
        "profile_a": event_at(
            MOMENT, actor=owner_a, action="issuer.update", target=issuer_a, issuer=issuer_a,
            details={"changed": ["name_en", "url"]},
        ),
        "key_a": event_at(
            LATER, actor=None, action="signing_key.rotate", target=issuer_a, issuer=issuer_a,
        ),
        "profile_b": event_at(
            MOMENT, actor=owner_b, action="issuer.update", target=issuer_b, issuer=issuer_b,
        ),
    }  # fmt: skip


@pytest.fixture
def client_a(client, owner_a):
    client.force_login(owner_a)
    return client


def shown(response) -> list[AuditEvent]:
    return list(response.context["cl"].queryset)


def csv_rows(response) -> tuple[str, list[list[str]]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return text, list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_list_reads_in_japanese_with_linked_objects_and_tokyo_times(client_a, events):
    response = client_a.get(CHANGELIST)

    page = response.content.decode()
    assert shown(response) == [events["key_a"], events["profile_a"]]
    assert "発行機関のプロフィールを変更" in page and "署名鍵を更新（ローテーション）" in page
    assert "issuer.update" not in page.split('id="changelist-filter"')[0]
    assert "システム（自動）" in page
    assert "日時 (Asia/Tokyo)" in page  # the column names the zone
    assert '<time datetime="2026-04-01T12:04:05+09:00">2026-04-01 12:04:05</time>' in page
    issuer_page = reverse("admin:issuers_issuer_change", args=[events["profile_a"].issuer_id])
    assert f'<a href="{issuer_page}">甲大学</a>' in page


def test_times_follow_the_viewers_time_zone_cookie_in_list_and_detail(client_a, events):
    client_a.cookies["tz"] = "America/New_York"
    detail = reverse("admin:issuers_auditevent_change", args=[events["profile_a"].pk])

    listing = client_a.get(CHANGELIST).content.decode()
    page = client_a.get(detail, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<time datetime="2026-03-31T23:04:05-04:00">2026-03-31 23:04:05</time>' in listing
    assert "日時 (America/New_York)" in listing
    assert '<time datetime="2026-03-31T23:04:05-04:00">2026-03-31 23:04:05</time>' in page
    assert "Time (America/New_York)" in page
    assert "<title>2026-03-31 23:04 Issuer profile changed 甲大学" in page
    assert "Issuer profile changed" in page
    assert "name_en, url" in page  # details as words, not JSON


def test_a_cookie_that_is_not_a_time_zone_falls_back_to_tokyo(client_a, events):
    client_a.cookies["tz"] = "Mars/Olympus_Mons"

    page = client_a.get(CHANGELIST).content.decode()

    assert "2026-04-01 12:04:05" in page and "Asia/Tokyo" in page


def test_filters_by_action_object_type_actor_and_date_range(client_a, events, owner_a):
    by_action = client_a.get(CHANGELIST, {"action": "signing_key.rotate"})
    by_type = client_a.get(CHANGELIST, {"target_type": "issuers.issuer"})
    by_actor = client_a.get(CHANGELIST, {"actor__id__exact": owner_a.pk})
    first_day = client_a.get(CHANGELIST, {"since": "2026-04-01", "until": "2026-04-01"})

    assert shown(by_action) == [events["key_a"]]
    assert shown(by_type) == [events["key_a"], events["profile_a"]]
    assert shown(by_actor) == [events["profile_a"]]
    assert shown(first_day) == [events["profile_a"]]
    page = first_day.content.decode()
    assert "署名鍵を更新（ローテーション）" in page  # the action filter lists labels
    assert 'name="since" value="2026-04-01"' in page


def test_the_date_range_is_read_in_the_viewers_zone(client_a, events):
    client_a.cookies["tz"] = "America/New_York"

    march_31 = client_a.get(CHANGELIST, {"since": "2026-03-31", "until": "2026-03-31"})
    april_1 = client_a.get(CHANGELIST, {"since": "2026-04-01", "until": "2026-04-01"})

    assert shown(march_31) == [events["profile_a"]]
    assert shown(april_1) == []


def test_the_csv_has_a_bom_japanese_headers_zone_offsets_and_only_own_events(client_a, events):
    response = client_a.get(EXPORT)

    text, rows = csv_rows(response)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert text.startswith("\ufeff")
    assert rows[0][:4] == ["日時 (Asia/Tokyo)", "操作", "操作コード", "対象の種類"]
    assert len(rows) == 3  # B's event is not there
    profile = rows[2]
    assert profile[0] == "2026-04-01T12:04:05+09:00"
    assert profile[1:6] == ["発行機関のプロフィールを変更", "issuer.update", "発行機関", "甲大学",
                            str(events["profile_a"].target_id)]  # fmt: skip
    assert rows[1][6] == "システム（自動）"


def test_the_csv_keeps_the_changelists_filters_and_the_viewers_zone(client_a, events):
    client_a.cookies["tz"] = "Europe/London"
    listing = client_a.get(CHANGELIST, {"action": "issuer.update"}, HTTP_ACCEPT_LANGUAGE="en")
    export_url = listing.context["export_url"]
    assert export_url == f"{EXPORT}?action=issuer.update"
    assert 'data-action="export-csv"' in listing.content.decode()

    _text, rows = csv_rows(client_a.get(export_url, HTTP_ACCEPT_LANGUAGE="en"))

    assert rows[0][:3] == ["time (Europe/London)", "action", "action code"]
    assert [row[2] for row in rows[1:]] == ["issuer.update"]
    assert rows[1][0] == "2026-04-01T04:04:05+01:00"


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(client_a, issuer_a, owner_a):
    AuditEvent.objects.create(
        issuer=issuer_a, actor=owner_a, actor_label="@owner", action="issuer.update",
        target_type="issuers.issuer", target_id=str(issuer_a.pk),
        target_label='=HYPERLINK("https://evil.example","click")',
    )  # fmt: skip

    _text, rows = csv_rows(client_a.get(EXPORT))

    assert rows[1][4] == '\'=HYPERLINK("https://evil.example","click")'
    assert rows[1][6] == "'@owner"


def test_other_issuers_events_stay_out_of_list_detail_filters_and_csv(client_a, events):
    other = reverse("admin:issuers_auditevent_change", args=[events["profile_b"].pk])

    listing = client_a.get(CHANGELIST, {"action": "issuer.update"})
    _text, rows = csv_rows(
        client_a.get(EXPORT, {"issuer__id__exact": events["profile_b"].issuer_id})
    )

    assert shown(listing) == [events["profile_a"]]
    assert "乙学会" not in listing.content.decode()
    assert client_a.get(other).status_code == 404
    assert len(rows) == 1  # only the header: B's events are not A's to export


def test_staff_without_a_role_cannot_download_the_csv(client, events):
    from tests.issuers.factories import UserFactory

    client.force_login(UserFactory(username="stranger"))

    assert client.get(EXPORT).status_code == 403


def test_a_platform_administrator_exports_every_issuers_events(client, events, superuser):
    client.force_login(superuser)

    _text, rows = csv_rows(client.get(EXPORT))

    assert len(rows) == 4


def test_a_percent_encoded_zone_cookie_is_read_too(client_a, events):
    client_a.cookies["tz"] = "Europe%2FBerlin"

    page = client_a.get(CHANGELIST).content.decode()

    assert '<time datetime="2026-04-01T05:04:05+02:00">' in page and "Europe/Berlin" in page


def test_dates_that_are_not_dates_filter_nothing_and_bad_filters_do_not_break_the_csv(
    client_a, events
):
    not_a_date = client_a.get(CHANGELIST, {"since": "2026-13-45", "until": "yesterday"})
    bad_filter = client_a.get(EXPORT, {"no_such_field__exact": "1"})

    assert shown(not_a_date) == [events["key_a"], events["profile_a"]]
    assert bad_filter.status_code == 302 and bad_filter["Location"].endswith("?e=1")
