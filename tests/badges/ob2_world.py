"""A small world for the OB 2.0 tests: an issuer with keys and QA, a fully described
programme version and an issued award with its BadgeRecord (made here, not by the pipeline, so
that these tests stand on badges.ob2 alone)."""

import datetime

from django.utils import timezone

from badges import ob2
from badges.models import BadgeRecord, StatusList
from badges.status_list import random_free_index
from issuers.services import ensure_signing_keys
from tests.credentials.factories import AwardFactory, ProgrammeVersionFactory
from tests.issuers.factories import ExternalQualityAssuranceFactory, IssuerFactory

EMAIL = "hanako.yamada@example.ac.jp"


def make_issuer(**fields):
    issuer = IssuerFactory(
        qa_standard_name_ja="内部質保証の方針",
        qa_standard_name_en="Internal quality assurance policy",
        qa_standard_uri="https://example.ac.jp/qa",
        description_ja="テスト用の大学です。",
        description_en="A university for tests.",
        **fields,
    )
    ExternalQualityAssuranceFactory(issuer=issuer)
    ensure_signing_keys(issuer)
    return issuer


def make_version(issuer, **fields):
    return ProgrammeVersionFactory(programme__issuer=issuer, **fields)


def issued_award(version, *, email=EMAIL, **fields):
    now = timezone.now()
    return AwardFactory(
        issued=True,
        assessment__programme_version=version,
        assessment__learner__email=email,
        assessment__evidence_narrative="最終課題で 85 点。",
        expires_at=now + datetime.timedelta(days=3 * 365),
        **fields,
    )


def status_list_for(issuer) -> StatusList:
    status_list = StatusList.objects.filter(issuer=issuer).first()
    if status_list is None:
        status_list = StatusList.objects.create(issuer=issuer, bits=bytes(131_072 // 8))
    return status_list


def badge_record(award, *, sign=True) -> BadgeRecord:
    issuer = award.programme_version.programme.issuer
    status_list = status_list_for(issuer)
    used = set(status_list.entries.values_list("status_index", flat=True))
    record = BadgeRecord(
        award=award,
        status_list=status_list,
        status_index=random_free_index(used, status_list.size),
    )
    if sign:
        record.ob2_assertion, record.ob2_jws = ob2.signed_assertion_for(record)
    record.save()
    return record
