"""badges.ob3_batch: signing many awards of one programme version gives exactly the credentials
the per-award path signs (Ed25519 is deterministic, so the proofValue too), and they verify
with us and with Digital Bazaar."""

from __future__ import annotations

import pytest
from django.db import transaction

from badges import dataintegrity, extension, ob3, status
from badges.models import BadgeRecord
from badges.ob3_batch import Ob3BatchSigner
from issuers.keys import load_private_key
from issuers.services import ensure_signing_keys
from tests.badges.node import assert_verified_and_clear, node_verify_many
from tests.badges.ob3_world import issue, passed_assessment
from tests.credentials.factories import ProgrammeVersionFactory
from tests.frameworks.fixtures import ensure_frameworks_loaded, fully_described_descriptors
from tests.issuers.factories import ExternalQualityAssuranceFactory, IssuerFactory

CREATED = "2025-06-01T09:30:00Z"

# Grades (at most 32 characters) that canonical N-Quads or JSON escape, or that look like
# N-Quads; the last two are beyond U+FFFF / U+FFFE: those records take the full path.
HOSTILE_GRADES = [
    'A" .\n<x> <y> "z',
    "\\\t\r\b\f\x01\x1f\x7f",  # PostgreSQL stores no NUL
    "\u2028\u2029\u200f\u202e優",
    "ｅ\u0301 Ａ＋ 秀",
    "\U0001f393 秀",
    "\ufffe",
]


def issuer_with_qa(**fields):
    issuer = IssuerFactory(
        qa_standard_name_ja="内部質保証方針",
        qa_standard_name_en="Internal QA policy",
        qa_standard_uri="https://qa.example.ac.jp/policy",
        **fields,
    )
    ExternalQualityAssuranceFactory(issuer=issuer)
    return issuer


def version_of(issuer, **fields):
    ensure_frameworks_loaded()
    return ProgrammeVersionFactory(
        programme__issuer=issuer, descriptors=fully_described_descriptors(), **fields
    )


def records_of(version, results) -> list:
    """One issued award and its badge record (a status list entry, nothing signed or baked
    unless the issuing task ran on commit) per (score, grade, e-mail)."""
    records = []
    for score, grade, email in results:
        award = issue(passed_assessment(version=version, score=score, grade=grade, email=email))
        record = BadgeRecord.objects.filter(award=award).first()
        if record is None:
            with transaction.atomic():
                status_list, index = status.allocate_status_index(
                    award.programme_version.programme.issuer
                )
                record = BadgeRecord.objects.create(
                    award=award, status_list=status_list, status_index=index
                )
        records.append(record.pk)
    # As a batch loads them (scores as Decimals).
    return list(
        BadgeRecord.objects.select_related("status_list", "award__learner", "award__assessment")
        .filter(pk__in=records)
        .order_by("pk")
    )


def full_path(record, key, created=CREATED) -> dict:
    return dataintegrity.sign_eddsa_rdfc_2022(
        ob3.credential_for(record),
        private_key=load_private_key(key),
        verification_method=ob3.verification_method_id(key),
        created=created,
        document_loader=extension.document_loader(),
    )


def signed_both_ways(version, records):
    key = ensure_signing_keys(version.programme.issuer)["ed25519"]
    signer = Ob3BatchSigner(version, key, created=CREATED)
    return signer.sign(records), [full_path(record, key) for record in records], signer, key


MIXED_RESULTS = [
    (80, "A", None),
    (None, "B", "o'brien+tag@example.ac.jp"),
    (87.5, "", None),
    (None, "", '"quoted\\name"@example.ac.jp'),
    (100, "S", None),
    (0, "F", None),
]


@pytest.mark.django_db
@pytest.mark.parametrize("validity_months", [None, 36])
def test_batch_signed_credentials_equal_the_full_path_and_verify(validity_months):
    version = version_of(issuer_with_qa(), validity_months=validity_months)
    records = records_of(version, MIXED_RESULTS)

    batch, expected, signer, key = signed_both_ways(version, records)

    assert batch == expected
    assert ("validUntil" in batch[0]) == (validity_months is not None)
    assert signer.paths == {"fast": len(records)}
    public_key = load_private_key(key).public_key()
    for credential in batch:
        result = dataintegrity.verify_eddsa_rdfc_2022(
            credential, public_key=public_key, document_loader=extension.document_loader()
        )
        assert result.verified, result.errors
    assert set(signer.timings) >= {"setup", "compose", "canonicalise", "sign"}


@pytest.mark.django_db
def test_hostile_grades_and_shared_texts_give_the_same_credentials():
    issuer = issuer_with_qa(
        name_ja='みなと"大学"\\\n\u2028',
        name_en="Minato\tUniversity \u202e",
    )
    version = version_of(issuer)
    records = records_of(version, [(70, grade, None) for grade in HOSTILE_GRADES])

    batch, expected, signer, _ = signed_both_ways(version, records)

    assert batch == expected
    # The emoji and U+FFFE grades cannot take the fast path; the others do.
    assert signer.paths == {"fast": len(HOSTILE_GRADES) - 2, "full": 2}


@pytest.mark.django_db
def test_a_record_of_another_version_is_refused():
    issuer = issuer_with_qa()
    version, other = version_of(issuer), version_of(issuer)
    (record,) = records_of(other, [(80, "A", None)])
    key = ensure_signing_keys(issuer)["ed25519"]
    with pytest.raises(ValueError):
        Ob3BatchSigner(version, key, created=CREATED).sign([record])


@pytest.mark.django_db
def test_a_malformed_created_time_fails_as_on_the_full_path():
    version = version_of(issuer_with_qa())
    (record,) = records_of(version, [(80, "A", None)])
    key = ensure_signing_keys(version.programme.issuer)["ed25519"]
    with pytest.raises(dataintegrity.DataIntegrityError):
        Ob3BatchSigner(version, key, created="yesterday").sign([record])


@pytest.mark.interop
@pytest.mark.django_db(transaction=True)
def test_batch_signed_credentials_verify_with_digital_bazaar(live_server, settings):
    # Ids, the did:web document, the extension context and the status list all resolve to
    # the live portal over loopback HTTP.
    settings.PORTAL_BASE_URL = live_server.url
    version = version_of(issuer_with_qa(slug="minato-u"), validity_months=12)
    records = records_of(version, MIXED_RESULTS[:4])

    batch, expected, signer, _ = signed_both_ways(version, records)

    assert batch == expected and signer.paths == {"fast": len(records)}
    results = node_verify_many(batch)
    for result in results:
        assert_verified_and_clear(result)
    assert len(results) == len(records)


@pytest.mark.django_db
def test_a_later_chunk_reuses_the_learned_templates_and_still_equals_the_full_path():
    version = version_of(issuer_with_qa(), validity_months=36)
    records = records_of(version, MIXED_RESULTS)
    key = ensure_signing_keys(version.programme.issuer)["ed25519"]
    first = Ob3BatchSigner(version, key, created=CREATED)
    first.sign(records)
    later = "2026-12-05T09:30:00Z"  # another chunk: another proof time
    second = Ob3BatchSigner(version, key, created=later)

    signed = second.sign(records)

    assert signed == [full_path(record, key, created=later) for record in records]
    assert second.paths == {"fast": len(records)}
    assert second._templates.keys() == first._templates.keys()
    for shape, template in second._templates.items():
        assert template is first._templates[shape]  # learned once, not per chunk


@pytest.mark.django_db
def test_a_changed_issuer_profile_learns_a_new_template():
    issuer = issuer_with_qa()
    version = version_of(issuer, validity_months=36)
    records = records_of(version, MIXED_RESULTS[:1])
    key = ensure_signing_keys(issuer)["ed25519"]
    first = Ob3BatchSigner(version, key, created=CREATED)
    first.sign(records)
    issuer.name_en = "Renamed University"
    issuer.save()
    version.refresh_from_db()
    records = records_of(version, MIXED_RESULTS[1:2])
    second = Ob3BatchSigner(version, key, created=CREATED)

    assert second.sign(records) == [full_path(record, key) for record in records]
    shape = next(iter(second._templates))
    assert second._templates[shape] is not first._templates.get(shape)
