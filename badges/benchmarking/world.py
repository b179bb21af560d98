"""The benchmark's data: the demo university (owner, keys), one fully described published
programme under it (all 14 programme-level descriptors; the award adds the other three:
learner, date, result) and the result rows of N new learners, as an LMS would send them."""

from __future__ import annotations

import datetime

from credentials import services
from credentials.demo import DATA_SCIENCE, LEARNER_NAMES, UNIVERSITY, programme_descriptors
from credentials.models import Programme
from frameworks.services import sync_frameworks_from_data
from issuers.demo import load_demo_issuers
from issuers.models import Membership, Role

PROGRAMME_SLUG = "bench-data-science"
ASSESSED_ON = datetime.date(2026, 2, 6)
EVIDENCE_BASE = "https://www.toto-univ.example.ac.jp/evidence/bench"


def prepare_world():
    """(actor, published version) of the benchmark programme; created when missing."""
    sync_frameworks_from_data()
    issuer = load_demo_issuers().issuers[UNIVERSITY]
    actor = Membership.objects.get(issuer=issuer, role=Role.OWNER).user
    programme = Programme.objects.filter(issuer=issuer, slug=PROGRAMME_SLUG).first()
    if programme is None:
        spec = {**DATA_SCIENCE[0], "slug": PROGRAMME_SLUG}
        programme = services.create_programme(
            actor=actor,
            issuer=issuer,
            slug=PROGRAMME_SLUG,
            descriptors=programme_descriptors(spec, issuer),
            criteria_ja="監督付き期末試験で 60 点以上を得ること。",
            criteria_en="Score at least 60 in the supervised final exam.",
            validity_months=36,
        )
        services.publish_programme(actor=actor, programme=programme)
    programme.refresh_from_db()
    return actor, programme.published_version


def learner_rows(count: int) -> list[dict]:
    """``count`` passing results of distinct new learners (Japanese and romanised names)."""
    rows = []
    for index in range(count):
        family, given, family_en, given_en = LEARNER_NAMES[index % len(LEARNER_NAMES)]
        score = 60 + (index * 7) % 41
        grade = next(
            g for floor, g in ((90, "S"), (80, "A"), (70, "B"), (0, "C")) if score >= floor
        )
        rows.append(
            {
                "email": f"{given_en}.{family_en}.{index + 1:06d}@example.ac.jp".lower(),
                "name_ja": f"{family} {given}",
                "name_en": f"{given_en} {family_en}",
                "student_number": f"25BN{index + 1:06d}",
                "result": "pass",
                "score": score,
                "grade": grade,
                "assessed_on": ASSESSED_ON.isoformat(),
                "method": "written_exam",
                "evidence_url": f"{EVIDENCE_BASE}/{index + 1:06d}",
                "evidence": f"期末試験 {score} 点（評語 {grade}）。",
            }
        )
    return rows
