"""The Open Badges 2.0 documents badges.ob2 composes (shapes per OB 2.0; interop is proven by
validator-core in tests/interop/test_ob2_portal_issued.py)."""

import datetime
import hashlib
import json

import pytest
from cryptography.hazmat.primitives import serialization

from badges import ob2, ob2_extension
from badges.jws import verify_assertion_jws
from badges.narrative import bilingual, criteria_narrative
from credentials.models import Award
from issuers.models import SigningKey
from issuers.selectors import active_signing_key
from tests.badges.ob2_world import EMAIL, badge_record, issued_award, make_issuer, make_version

pytestmark = pytest.mark.django_db
BASE = "https://portal.example.jp"


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.PORTAL_BASE_URL = BASE


@pytest.fixture
def issuer():
    return make_issuer(slug="minato-u")


@pytest.fixture
def version(issuer):
    return make_version(issuer, programme__slug="data-science")


def _parse(value: str) -> datetime.datetime:
    parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.tzinfo is not None, value
    return parsed


def test_issuer_profile(issuer):
    profile = ob2.issuer_profile(issuer)
    rsa = active_signing_key(issuer, SigningKey.Algorithm.RSA2048)

    assert profile["@context"] == "https://w3id.org/openbadges/v2"
    assert profile["type"] == "Issuer"
    assert profile["id"] == f"{BASE}/ob2/issuers/minato-u"
    assert profile["name"] == issuer.name_ja
    assert profile["email"] == issuer.email
    assert profile["url"] == issuer.url
    assert profile["publicKey"] == f"{BASE}/ob2/keys/{rsa.key_id}"  # one URL, not a list
    assert profile["revocationList"] == f"{BASE}/ob2/issuers/minato-u/revocations"
    assert "テスト用の大学です。" in profile["description"]
    assert "A university for tests." in profile["description"]
    extension = profile[ob2_extension.ISSUER_PROPERTY]
    assert extension["type"] == ["Extension", ob2_extension.ISSUER_TYPE]
    assert extension["name"] == {"ja": issuer.name_ja, "en": issuer.name_en}
    assert extension["quality_assurance"]["internal"]["uri"] == "https://example.ac.jp/qa"
    assert extension["quality_assurance"]["external"][0]["type"] == "accreditation"


def test_cryptographic_key_carries_the_public_pem(issuer):
    key = active_signing_key(issuer, SigningKey.Algorithm.RSA2048)
    document = ob2.cryptographic_key(key)

    assert document["type"] == "CryptographicKey"
    assert document["id"] == f"{BASE}/ob2/keys/{key.key_id}"
    assert document["owner"] == f"{BASE}/ob2/issuers/minato-u"
    loaded = serialization.load_pem_public_key(document["publicKeyPem"].encode())
    assert loaded.key_size == 2048


def test_badge_class(version, issuer):
    document = ob2.badge_class(version)
    url = f"{BASE}/ob2/badgeclasses/minato-u/data-science/v1"

    assert document["type"] == "BadgeClass"
    assert document["id"] == url
    assert document["name"] == version.title_in("ja")
    assert document["issuer"] == f"{BASE}/ob2/issuers/minato-u"
    assert document["image"] == url + "/image"
    assert version.descriptors["content"]["ja"] in document["description"]
    assert version.descriptors["content"]["en"] in document["description"]
    narrative = document["criteria"]["narrative"]
    for outcome in version.descriptors["learning_outcomes"]:
        assert outcome["ja"] in narrative
        assert outcome["en"] in narrative
    jeqf = [a for a in document["alignment"] if a.get("targetFramework") == "JEQF"]
    assert [a["targetCode"] for a in jeqf] == [str(version.descriptors["level"]["jeqf"])]
    assert jeqf[0]["targetUrl"].startswith(f"{BASE}/frameworks/")
    for alignment in document["alignment"]:
        assert alignment["targetName"] and alignment["targetUrl"].startswith(BASE)
    credit_codes = {a["targetCode"] for a in document["alignment"]}
    assert "jp_university:2" in credit_codes
    assert "マイクロクレデンシャル" in document["tags"]


def test_badge_class_extension_holds_all_17_descriptors(version):
    extension = ob2.badge_class(version)[ob2_extension.DESCRIPTORS_PROPERTY]

    assert extension["@context"] == f"{BASE}/contexts/ob2-mc/v1.jsonld"
    assert extension["type"] == ["Extension", ob2_extension.DESCRIPTORS_TYPE]
    descriptor_keys = set(extension) - {"@context", "type"}
    assert len(descriptor_keys) == 17
    assert extension["learning_outcomes"] == version.descriptors["learning_outcomes"]
    assert extension["awarding_body"]["url"] == f"{BASE}/ob2/issuers/minato-u"
    # Every key the schema requires is there (the schema itself is exercised by validator-core).
    assert set(ob2_extension.descriptors_schema()["required"]) <= descriptor_keys


def test_extension_context_declares_validation_for_both_types():
    context = ob2_extension.context_document()
    validation = {
        v["obi:validatesType"]: v["obi:validationSchema"] for v in context["obi:validation"]
    }

    assert validation == {
        ob2_extension.DESCRIPTORS_TYPE: f"{BASE}/contexts/ob2-mc/v1.schema.json",
        ob2_extension.ISSUER_TYPE: f"{BASE}/contexts/ob2-mc/v1.issuer.schema.json",
    }
    # Lists stay lists after JSON-LD compaction, so the schema can require arrays.
    assert context["@context"]["learning_outcomes"]["@container"] == "@set"


def test_criteria_narrative_covers_the_guideline_elements(version):
    narrative = criteria_narrative(version)

    for heading in ("学修成果", "授業の方法", "学習量", "評価の方法", "質保証", "単位"):
        assert heading in narrative["ja"]
    for heading in (
        "Learning outcomes",
        "Form of participation",
        "Learner effort",
        "Type of assessment",
        "quality assurance",
        "Credit",
    ):
        assert heading in narrative["en"]
    assert version.descriptors["learning_outcomes"][0]["en"] in narrative["en"]
    assert version.descriptors["learning_outcomes"][0]["ja"] in narrative["ja"]
    assert "90" in narrative["en"]
    assert narrative["ja"].startswith("## このマイクロクレデンシャルの取得基準")
    assert narrative["en"].startswith("## Criteria for earning")


def test_bilingual():
    assert bilingual("日本語", "English") == "日本語\n\n---\n\nEnglish"
    assert bilingual("同じ", "同じ") == "同じ"
    assert bilingual("", "only") == "only"


def test_hosted_assertion(version):
    award = issued_award(version)
    record = badge_record(award)
    document = record.ob2_assertion

    assert document["type"] == "Assertion"
    assert document["id"] == f"{BASE}/ob2/assertions/{award.public_id}"
    assert document["badge"] == f"{BASE}/ob2/badgeclasses/minato-u/data-science/v1"
    assert document["verification"] == {"type": "HostedBadge"}
    recipient = document["recipient"]
    assert recipient["type"] == "email" and recipient["hashed"] is True
    expected = hashlib.sha256((EMAIL + recipient["salt"]).encode()).hexdigest()
    assert recipient["identity"] == "sha256$" + expected
    assert EMAIL not in json.dumps(document)
    assert _parse(document["issuedOn"]) == award.issued_at
    assert _parse(document["expires"]) == award.expires_at
    assert "85" in document["evidence"][0]["narrative"]
    assert document["image"] == f"{BASE}/badges/{award.public_id}/ob2.png"


def test_signed_assertion_is_the_signed_twin_of_the_hosted_one(version, issuer):
    record = badge_record(issued_award(version))
    key = active_signing_key(issuer, SigningKey.Algorithm.RSA2048)

    payload = verify_assertion_jws(record.ob2_jws, key.public_key_object)

    assert payload["verification"] == {
        "type": "SignedBadge",
        "creator": f"{BASE}/ob2/keys/{key.key_id}",
    }
    hosted = dict(record.ob2_assertion, verification=payload["verification"])
    # The signed twin names the BadgeClass of its key (validator-core after key rotations).
    assert payload["badge"] == f"{hosted['badge']}/keys/{key.key_id}"
    assert payload == dict(hosted, badge=payload["badge"])  # same id, salt, dates


def test_salt_is_kept_when_signing_again(version):
    record = badge_record(issued_award(version))
    again, _token = ob2.signed_assertion_for(record)

    assert again["recipient"] == record.ob2_assertion["recipient"]


def test_salts_differ_per_award(version):
    first = badge_record(issued_award(version, email="a@example.ac.jp"))
    second = badge_record(issued_award(version, email="b@example.ac.jp"))

    assert first.ob2_assertion["recipient"]["salt"] != second.ob2_assertion["recipient"]["salt"]


def test_revocation_list_lists_revoked_awards_with_reasons(version, issuer):
    revoked = issued_award(version, email="x@example.ac.jp")
    kept = issued_award(version, email="y@example.ac.jp")
    Award.objects.filter(pk=revoked.pk).update(
        status=Award.Status.REVOKED,
        revoked_at=revoked.issued_at + datetime.timedelta(days=1),
        revocation_reason="誤発行のため",
    )

    document = ob2.revocation_list(issuer)

    assert document["type"] == "RevocationList"
    assert document["issuer"] == f"{BASE}/ob2/issuers/minato-u"
    assert document["revokedAssertions"] == [
        {"id": f"{BASE}/ob2/assertions/{revoked.public_id}", "revocationReason": "誤発行のため"}
    ]
    assert str(kept.public_id) not in json.dumps(document)
