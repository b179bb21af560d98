"""The two data migrations of issue #13, run forwards (and the learner one back) on rows made
with the models as they were before them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

NAMES_BEFORE = ("credentials", "0003_issuing_batches")
NAMES_AFTER = ("credentials", "0004_learner_names_per_issuer")
ENDORSEMENTS_BEFORE = ("badges", "0004_status_index_claims")
ENDORSEMENTS_AFTER = ("badges", "0005_endorsement_acceptance")


def migrate(*targets):
    """Migrate the two apps to `targets`; the models as they are then (other apps at their
    latest migration, as the database has them)."""
    executor = MigrationExecutor(connection)
    executor.migrate(list(targets))
    executor.loader.build_graph()
    moved = {app for app, _ in targets}
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in moved]
    return executor.loader.project_state([*targets, *others]).apps


@pytest.fixture
def back_to_latest():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _issuer(apps, slug):
    return apps.get_model("issuers", "Issuer").objects.create(slug=slug, name_ja=slug)


def test_each_existing_enrolment_gets_a_copy_of_its_learners_names(back_to_latest):
    apps = migrate(NAMES_BEFORE, ENDORSEMENTS_AFTER)
    Learner = apps.get_model("credentials", "Learner")
    Enrolment = apps.get_model("credentials", "LearnerEnrolment")
    a, b = _issuer(apps, "mig-a"), _issuer(apps, "mig-b")
    shared = Learner.objects.create(email="shared@example.ac.jp", name_ja="共有", name_en="Kyoyu")
    only_en = Learner.objects.create(email="en@example.ac.jp", name_en="Only English")
    for issuer in (a, b):
        Enrolment.objects.create(learner=shared, issuer=issuer, student_number=issuer.slug)
    Enrolment.objects.create(learner=only_en, issuer=b)

    apps = migrate(NAMES_AFTER, ENDORSEMENTS_AFTER)
    Enrolment = apps.get_model("credentials", "LearnerEnrolment")
    rows = Enrolment.objects.order_by("learner__email", "issuer__slug")
    assert [(e.learner.email, e.issuer.slug, e.name_ja, e.name_en) for e in rows] == [
        ("en@example.ac.jp", "mig-b", "", "Only English"),
        ("shared@example.ac.jp", "mig-a", "共有", "Kyoyu"),
        ("shared@example.ac.jp", "mig-b", "共有", "Kyoyu"),
    ]
    assert [e.student_number for e in rows] == ["", "mig-a", "mig-b"]

    apps = migrate(NAMES_BEFORE, ENDORSEMENTS_AFTER)  # and back: the earliest enrolment's names
    Learner = apps.get_model("credentials", "Learner")
    assert Learner.objects.get(email="shared@example.ac.jp").name_en == "Kyoyu"


def test_existing_endorsements_of_another_issuer_become_pending_self_ones_accepted(
    back_to_latest,
):
    apps = migrate(NAMES_AFTER, ENDORSEMENTS_BEFORE)
    Programme = apps.get_model("credentials", "Programme")
    Version = apps.get_model("credentials", "ProgrammeVersion")
    Endorsement = apps.get_model("badges", "Endorsement")
    uni, body = _issuer(apps, "mig-uni"), _issuer(apps, "mig-body")
    programme = Programme.objects.create(issuer=uni, slug="mig-ds")
    version = Version.objects.create(programme=programme, number=1, published_at=timezone.now())
    now = timezone.now()
    other = Endorsement.objects.create(
        endorser=body, programme_version=version, comment_ja="他", issued_at=now
    )
    own = Endorsement.objects.create(
        endorser=uni, programme_version=version, comment_ja="自", issued_at=now
    )

    apps = migrate(NAMES_AFTER, ENDORSEMENTS_AFTER)
    Endorsement = apps.get_model("badges", "Endorsement")
    assert Endorsement.objects.get(pk=other.pk).acceptance == "pending"
    accepted = Endorsement.objects.get(pk=own.pk)
    assert (accepted.acceptance, accepted.decided_at) == ("accepted", now)
