"""The programme editor's crosswalk downloads (EU / Australia as CSV) for staff: the same
export as GET /api/v1/programs/{id}/crosswalk/, scoped to the staff member's issuers."""

import csv
import io

import pytest
from django.urls import reverse

from tests.credentials.factories import ProgrammeVersionFactory
from tests.frameworks.fixtures import fully_described_descriptors


def download_url(programme, target="eu") -> str:
    return reverse("admin:credentials_programme_crosswalk", args=[programme.pk, target])


def csv_rows(response) -> list[list[str]]:
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def test_the_editor_offers_eu_and_australia_downloads(client, designer_a, version_a):
    client.force_login(designer_a)
    page = client.get(reverse("admin:credentials_programme_change", args=[version_a.programme_id]))
    html = page.content.decode()
    assert f'href="{download_url(version_a.programme, "eu")}"' in html
    assert f'href="{download_url(version_a.programme, "au")}"' in html
    assert "EU（CSV）" in html and "オーストラリア（CSV）" in html


@pytest.mark.parametrize("target", ["eu", "au"])
def test_a_viewer_downloads_the_crosswalk_csv_in_japanese(client, viewer_a, version_a, target):
    assert not viewer_a.is_superuser and viewer_a.is_staff
    client.force_login(viewer_a)
    response = client.get(download_url(version_a.programme, target))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="ds-a-v1-crosswalk-{target}.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0][:2] == ["区分", "キー"]
    title = next(row for row in rows if row[1] == "title")
    assert title[5] == "記載あり" and title[6] == version_a.descriptors["title"]["ja"]
    assert [row[1] for row in rows if row[0] == "単位換算"] == [
        "learning_hours", "jp_university", "ucts", "ects",
    ]  # fmt: skip


def test_the_download_in_english_and_of_an_older_version(client, designer_a, version_a):
    descriptors = fully_described_descriptors()
    del descriptors["level"]
    ProgrammeVersionFactory(
        programme=version_a.programme, number=2, published_at=None, descriptors=descriptors
    )
    client.force_login(designer_a)
    latest = csv_rows(client.get(download_url(version_a.programme), HTTP_ACCEPT_LANGUAGE="en"))
    assert latest[0][:2] == ["Section", "Key"]
    level = next(row for row in latest if row[1] == "level")
    assert (level[4], level[5]) == ("Yes", "Missing")
    first = client.get(download_url(version_a.programme) + "?version=1")
    level = next(row for row in csv_rows(first) if row[1] == "level")
    assert level[5] == "記載あり"
    assert client.get(download_url(version_a.programme) + "?version=7").status_code == 404


def test_another_issuers_programme_and_an_unknown_framework_are_not_found(
    client, owner_a, version_a, version_b
):
    client.force_login(owner_a)
    assert client.get(download_url(version_b.programme)).status_code == 404
    assert client.get(download_url(version_a.programme, "jp")).status_code == 404


def test_someone_signed_out_is_sent_to_the_login_page(client, version_a):
    response = client.get(download_url(version_a.programme))
    assert response.status_code == 302 and "/login/" in response["Location"]
