"""Writing the valid rows in bulk: learners, enrolments, assessments, proposed awards."""

from common.bulk import create_objects
from credentials.models import Assessment, Award, Learner, LearnerEnrolment

from ..assessments import assessing_methods
from .rows import Known


def write_rows(
    rows, known: Known, version, actor, propose_awards: bool, report
) -> tuple[dict, list]:
    """Returns the learners by e-mail and the assessments in the order of `rows`."""
    assessing = set(assessing_methods(version))
    issuer = version.programme.issuer
    new_learners = [Learner(email=row.email) for row in rows if row.email not in known.learners]
    create_objects(new_learners)  # COPY on PostgreSQL (common.bulk)
    learners = {**known.learners, **{learner.email: learner for learner in new_learners}}

    # Everything a row says about the learner goes to this issuer's enrolment only: names are
    # filled in where empty, a student number is set once.
    new_enrolments, changed = [], []
    for row in rows:
        learner = learners[row.email]
        enrolment = known.enrolments.get(learner.pk)
        if enrolment is None:
            new_enrolments.append(
                LearnerEnrolment(
                    learner=learner,
                    issuer=issuer,
                    student_number=row.student_number,
                    name_ja=row.name_ja,
                    name_en=row.name_en,
                )
            )
            continue
        before = (enrolment.student_number, enrolment.name_ja, enrolment.name_en)
        enrolment.student_number = enrolment.student_number or row.student_number
        enrolment.name_ja = enrolment.name_ja or row.name_ja
        enrolment.name_en = enrolment.name_en or row.name_en
        if (enrolment.student_number, enrolment.name_ja, enrolment.name_en) != before:
            changed.append(enrolment)
    create_objects(new_enrolments)
    LearnerEnrolment.objects.bulk_update(
        changed, ["student_number", "name_ja", "name_en"], batch_size=2_000
    )
    # Learners new to this issuer: how many the portal already knew stays undisclosed.
    report.new_learners = report.new_enrolments = len(new_enrolments)

    assessments = [
        Assessment(
            learner=learners[row.email],
            programme_version=version,
            result=row.result,
            score=row.score,
            grade=row.grade,
            method=row.method,
            assessor=actor,
            assessed_on=row.assessed_on,
            evidence_url=row.evidence_url,
            evidence_narrative=row.evidence,
        )
        for row in rows
    ]
    Assessment.objects.bulk_create(
        assessments,
        batch_size=2_000,
        update_conflicts=True,
        unique_fields=["learner", "programme_version", "assessed_on"],
        update_fields=[
            "result", "score", "grade", "method", "assessor", "evidence_url",
            "evidence_narrative", "updated_at",
        ],
    )  # fmt: skip

    if propose_awards:
        awards = [
            Award(
                learner=assessment.learner,
                programme_version=version,
                assessment=assessment,
                proposed_by=actor,
            )
            for assessment in assessments
            if assessment.result == Assessment.Result.PASS
            and assessment.method in assessing
            and assessment.learner.pk not in known.awarded
        ]
        # ignore_conflicts: a learner who already has an award under this version keeps it.
        Award.objects.bulk_create(awards, batch_size=2_000, ignore_conflicts=True)
        report.proposed_awards = len(awards)
    return learners, assessments
