"""The public, read-only framework pages: Japanese first, English on request, JSON for machines."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.usefixtures("frameworks_loaded")


def test_the_framework_list_is_japanese_by_default(client):
    response = client.get(reverse("frameworks:framework-list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ja">' in html
    assert "マイクロクレデンシャルのフレームワーク 第1版" in html
    assert "EU理事会勧告" in html
    assert reverse("frameworks:framework-detail", args=["jp-mc", "1.0"]) in html


def test_the_framework_list_is_english_with_accept_language_en(client):
    response = client.get(reverse("frameworks:framework-list"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Japanese Micro-credential Framework 1.0" in html
    assert "Micro-credential frameworks" in html


def test_the_detail_page_shows_the_descriptors_grouped_with_tags_and_comparison_flags(client):
    response = client.get(reverse("frameworks:framework-detail", args=["jp-mc", "1.0"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<tr id="descriptor-') == 17
    assert html.count('<span class="tag tag-required">必須</span>') >= 11
    assert '<span class="tag tag-optional">選択</span>' in html
    for heading in ("発行情報", "名称と内容", "学修", "評価と質保証", "証明・認定・積み上げ"):
        assert f"<h3>{heading}</h3>" in html
    for column in ("EU", "オーストラリア", "マレーシア", "履修証明"):
        assert f'<th scope="col">{column}</th>' in html
    assert "履修証明プログラムは60時間以上の学修が必要です（エラー）。" in html
    assert "学習量は概ね10時間または1単位以上（下回ると警告）。" in html


def test_the_detail_page_in_english(client):
    response = client.get(
        reverse("frameworks:framework-detail", args=["jp-mc", "1.0"]), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert "Learner effort (total learning hours)" in html
    assert '<span class="tag tag-optional">Optional</span>' in html
    assert "Controlled vocabularies" in html


def test_the_eu_detail_page_shows_what_each_element_draws_on(client):
    response = client.get(reverse("frameworks:framework-detail", args=["eu-mc", "2022"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<code>credit_recognition.ects</code>" in html
    assert (
        "このフレームワークは「マイクロクレデンシャルのフレームワーク 第1版」の語彙を使用します。"
        in html
    )


def test_an_unknown_framework_is_not_found(client):
    response = client.get(reverse("frameworks:framework-detail", args=["jp-mc", "9.9"]))
    assert response.status_code == 404


def test_the_vocabularies_json_lists_codes_labels_and_data(client):
    response = client.get(reverse("frameworks:framework-vocabularies", args=["jp-mc", "1.0"]))
    data = response.json()
    assert response["Content-Type"] == "application/json"
    credit_systems = {t["code"]: t for t in data["vocabularies"]["credit_systems"]["terms"]}
    assert credit_systems["ects"]["data"]["hours_per_credit_min"] == 25
    assert credit_systems["jp_university"]["label"]["ja"] == "大学設置基準の単位"


def test_shared_vocabularies_are_served_for_the_framework_that_shares_them(client):
    eu = client.get(reverse("frameworks:framework-vocabularies", args=["eu-mc", "2022"])).json()
    jp = client.get(reverse("frameworks:framework-vocabularies", args=["jp-mc", "1.0"])).json()
    assert eu["vocabularies"] == jp["vocabularies"]
    assert eu["framework"] == {"slug": "eu-mc", "version": "2022"}


def test_the_framework_json_has_descriptors_and_rules(client):
    data = client.get(reverse("frameworks:framework-json", args=["jp-mc", "1.0"])).json()
    assert len(data["descriptors"]) == 17
    assert sum(d["required"] for d in data["descriptors"]) == 11
    assert data["rules"]["rirekishomei_min_hours"] == 60
    assert data["descriptors"][9]["label"]["ja"] == "学習量（総学習時間）"


def test_the_pages_are_read_only(client):
    response = client.post(reverse("frameworks:framework-list"))
    assert response.status_code == 405
