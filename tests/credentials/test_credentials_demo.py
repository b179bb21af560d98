"""The demo data: four stacked data-science programmes and a society's programme, learners,
results and awards, created through the services; loading twice changes nothing."""

import pytest

from credentials.demo import load_demo_credentials
from credentials.models import Assessment, Award, Learner, Programme
from credentials.selectors import learner_name_for, programme_report
from issuers.demo import load_demo_issuers
from issuers.models import AuditEvent, Issuer
from issuers.selectors import agreement_partners


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    # The society's awards are issued by a batch job, handed over once the load commits.
    with django_capture_on_commit_callbacks(execute=True):
        return load_demo_credentials(load_demo_issuers())


def test_the_university_has_four_published_complete_stacked_programmes(demo):
    slugs = ["ds-bronze", "ds-silver", "ds-gold", "ds-platinum"]
    programmes = [demo.programmes[slug] for slug in slugs]
    for programme in programmes:
        assert programme.status == Programme.Status.PUBLISHED
        report = programme_report(programme.published_version)
        assert report.is_valid and report.is_micro_credential and report.completeness == 100
        assert programme.published_version.descriptors["level"]["jeqf"] == 6
    platinum = demo.programmes["ds-platinum"]
    assert set(platinum.stack_requirement.required.values_list("slug", flat=True)) == set(slugs[:3])


def test_the_university_and_the_society_have_an_agreement_and_platinum_recognises_outside_badges(
    demo,
):
    university, society = Issuer.objects.get(slug="toto-univ"), Issuer.objects.get(slug="jdss")
    assert agreement_partners(university) == {society.pk}
    [rule] = demo.programmes["ds-platinum"].stack_requirement.recognition_rules.all()
    assert (rule.stands_for.slug, rule.min_level, rule.min_hours, rule.auto_approve) == (
        "ds-bronze",
        6,
        30,
        False,
    )


def test_thirty_learners_with_japanese_and_romaji_names(demo):
    assert len(demo.learners) == 30
    first = demo.learners[0]
    name = learner_name_for(first, Issuer.objects.get(slug="toto-univ"))
    assert (name.ja, name.en, first.email) == (
        "佐藤 陽翔",
        "Haruto Sato",
        "haruto.sato@example.ac.jp",
    )
    assert all(learner.email.endswith("@example.ac.jp") for learner in demo.learners)


def test_mostly_passing_results_with_awards_and_platinum_waiting_for_approval(demo):
    results = Assessment.objects.filter(programme_version__programme__issuer__slug="toto-univ")
    assert results.filter(result="fail").count() == 6
    assert results.filter(result="pass").count() == 52
    # Gold holders 0,1,3–8, less 5 (failed silver) and 7 (failed bronze).
    platinum = Award.objects.filter(programme_version__programme__slug="ds-platinum")
    assert platinum.count() == 6 and set(platinum.values_list("status", flat=True)) == {"pending"}
    assert (
        Award.objects.filter(status="pending")
        .exclude(programme_version__programme__slug="ds-platinum")
        .count()
        == 2
    )


def test_the_society_has_its_own_programme_and_awards(demo):
    regression = demo.programmes["jdss-practitioner-regression"]
    assert regression.issuer.slug == "jdss"
    awards = Award.objects.filter(programme_version__programme=regression, status="issued")
    assert awards.count() == 5
    assert all(award.expires_at for award in awards)  # a 36-month certification
    (batch,) = demo.batches
    assert (batch.source, batch.total) == ("passing", 5)
    assert set(batch.items.values_list("award", flat=True)) == set(
        awards.values_list("pk", flat=True)
    )


def test_loading_the_demo_again_changes_nothing(demo):
    counts = (
        Programme.objects.count(),
        Learner.objects.count(),
        Assessment.objects.count(),
        Award.objects.count(),
        AuditEvent.objects.count(),
    )
    load_demo_credentials(load_demo_issuers())
    assert (
        Programme.objects.count(),
        Learner.objects.count(),
        Assessment.objects.count(),
        Award.objects.count(),
        AuditEvent.objects.count(),
    ) == counts
