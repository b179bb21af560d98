"""Issue #13: a learner known to two issuers by the same e-mail. What an award of issuer A
shows (its public credential page, the mail telling the learner, the webhook) carries the name
A recorded, never B's; the learner's own area shows the learner their own name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from credentials.models import BatchItem, IssuingBatch
from credentials.representations import award_event_payload
from credentials.selectors import award_learner_name, award_learner_names, learner_names_for
from credentials.services.notifications import award_mail, notify_batch_chunk
from tests.badges.ob2_world import make_issuer
from tests.badges.ob3_world import issue
from tests.credentials.factories import (
    AssessmentFactory,
    EnrolmentFactory,
    LearnerFactory,
    ProgrammeVersionFactory,
)

pytestmark = pytest.mark.django_db

A_NAMES = ("甲 花子", "Hanako Ko")
B_NAMES = ("乙の記録 秘密子", "Himitsuko Otsu")


@pytest.fixture
def world():
    issuer_a = make_issuer(slug="issuer-a-names", name_ja="甲大学")
    issuer_b = make_issuer(slug="issuer-b-names", name_ja="乙学会")
    learner = LearnerFactory(email="shared@example.ac.jp")
    EnrolmentFactory(learner=learner, issuer=issuer_b, name_ja=B_NAMES[0], name_en=B_NAMES[1])
    EnrolmentFactory(learner=learner, issuer=issuer_a, name_ja=A_NAMES[0], name_en=A_NAMES[1])
    version_a = ProgrammeVersionFactory(programme__issuer=issuer_a)
    return issuer_a, issuer_b, learner, version_a


def issued_at_a(world, capture):
    _, _, learner, version_a = world
    with capture(execute=True):
        return issue(AssessmentFactory(learner=learner, programme_version=version_a))


def test_the_credential_page_of_as_badge_shows_the_name_a_recorded(
    client, world, django_capture_on_commit_callbacks
):
    award = issued_at_a(world, django_capture_on_commit_callbacks)
    page = client.get(reverse("badges:credential-page", kwargs={"public_id": award.public_id}))
    text = page.content.decode()
    assert page.status_code == 200 and A_NAMES[0] in text
    assert all(name not in text for name in B_NAMES)


def test_the_mail_and_the_webhook_of_as_award_carry_the_name_a_recorded(
    world, django_capture_on_commit_callbacks
):
    award = issued_at_a(world, django_capture_on_commit_callbacks)
    body = award_mail(award).body
    assert A_NAMES[0] in body and A_NAMES[1] in body
    assert all(name not in body for name in B_NAMES)
    learner = award_event_payload(award)["learner"]
    assert (learner["name_ja"], learner["name_en"]) == A_NAMES


def test_names_for_many_learners_and_awards_take_one_query(
    world, django_capture_on_commit_callbacks, django_assert_num_queries
):
    issuer_a, issuer_b, learner, _ = world
    award = issued_at_a(world, django_capture_on_commit_callbacks)
    others = [EnrolmentFactory(issuer=issuer_a).learner for _ in range(5)]
    with django_assert_num_queries(1):
        names = learner_names_for([learner, *others], issuer_a)
    assert names[learner.pk] == A_NAMES and len(names) == 6
    with django_assert_num_queries(1):
        assert learner_names_for([learner], issuer_b)[learner.pk] == B_NAMES
    with django_assert_num_queries(1):
        assert award_learner_names([award]) == {award.pk: A_NAMES}
    assert award_learner_name(award) == A_NAMES


def test_a_batchs_mails_look_the_names_up_once_per_chunk(
    world, django_capture_on_commit_callbacks, django_assert_max_num_queries, mailoutbox
):
    issuer_a, _, _, version_a = world
    learners = [EnrolmentFactory(issuer=issuer_a).learner for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        awards = [
            issue(AssessmentFactory(learner=learner, programme_version=version_a))
            for learner in learners
        ]
    batch = IssuingBatch.objects.create(
        issuer=issuer_a, programme_version=version_a, notify_learners=True, total=3
    )
    BatchItem.objects.bulk_create(
        BatchItem(batch=batch, line=i + 1, chunk=0, email=a.learner.email, award=a,
                  state=BatchItem.State.ISSUED)
        for i, a in enumerate(awards)
    )  # fmt: skip
    # claim (select, update, savepoint), items, names, two updates: none per mail
    with django_assert_max_num_queries(7):
        assert notify_batch_chunk(batch.pk, 0) == 3
    assert [m.to for m in mailoutbox] == [[learner.email] for learner in learners]


def test_the_learners_own_area_shows_them_their_own_name(client, world):
    _, _, learner, _ = world
    session = client.session
    session["learner_id"] = learner.pk
    session.save()
    page = client.get(reverse("credentials:learner-area"))
    assert page.status_code == 200
    assert B_NAMES[0] in page.content.decode()  # their earliest enrolment: their own data
