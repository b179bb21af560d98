"""factory_boy factories for the educational record. They write rows directly, for setting up
a test's world; the behaviour under test always goes through credentials.services."""

import datetime

import factory
from django.utils import timezone

from credentials.models import (
    Assessment,
    Award,
    Learner,
    LearnerEnrolment,
    Programme,
    ProgrammeVersion,
)
from tests.frameworks.fixtures import fully_described_descriptors
from tests.issuers.factories import IssuerFactory


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    issuer = factory.SubFactory(IssuerFactory)
    slug = factory.Sequence(lambda n: f"programme-{n}")
    status = Programme.Status.PUBLISHED


class ProgrammeVersionFactory(factory.django.DjangoModelFactory):
    """A published version with complete descriptors (title made unique per programme)."""

    class Meta:
        model = ProgrammeVersion

    programme = factory.SubFactory(ProgrammeFactory)
    number = 1
    published_at = factory.LazyFunction(timezone.now)

    @factory.lazy_attribute
    def descriptors(self):
        descriptors = fully_described_descriptors()
        descriptors["title"] = {
            "ja": f"{descriptors['title']['ja']}（{self.programme.slug}）",
            "en": f"{descriptors['title']['en']} ({self.programme.slug})",
        }
        return descriptors


class LearnerFactory(factory.django.DjangoModelFactory):
    """A learner (an e-mail). Names are recorded per issuer, on enrolments: `name_ja` and
    `name_en` given here are not model fields but what EnrolmentFactory (and the assessment
    and award factories' enrolment at their issuer) record for this learner by default."""

    class Meta:
        model = Learner

    email = factory.Sequence(lambda n: f"learner{n}@example.ac.jp")
    name_ja = factory.Sequence(lambda n: f"学習者 {n}")
    name_en = factory.Sequence(lambda n: f"Learner {n}")

    @classmethod
    def _create(cls, model_class, *args, name_ja="", name_en="", **kwargs):
        learner = super()._create(model_class, *args, **kwargs)
        learner.factory_name_ja, learner.factory_name_en = name_ja, name_en
        return learner

    @classmethod
    def _build(cls, model_class, *args, name_ja="", name_en="", **kwargs):
        learner = super()._build(model_class, *args, **kwargs)
        learner.factory_name_ja, learner.factory_name_en = name_ja, name_en
        return learner


def _factory_name(learner, field: str, n: int) -> str:
    default = f"学習者 {n}" if field == "name_ja" else f"Learner {n}"
    return getattr(learner, f"factory_{field}", default)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearnerEnrolment

    learner = factory.SubFactory(LearnerFactory)
    issuer = factory.SubFactory(IssuerFactory)
    student_number = ""
    name_ja = factory.LazyAttributeSequence(lambda o, n: _factory_name(o.learner, "name_ja", n))
    name_en = factory.LazyAttributeSequence(lambda o, n: _factory_name(o.learner, "name_en", n))


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    learner = factory.SubFactory(LearnerFactory)
    programme_version = factory.SubFactory(ProgrammeVersionFactory)
    result = Assessment.Result.PASS
    score = 80
    method = "written_exam"
    assessed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))


class AwardFactory(factory.django.DjangoModelFactory):
    """A pending award resting on a passing assessment of the same learner and version."""

    class Meta:
        model = Award

    assessment = factory.SubFactory(AssessmentFactory)
    learner = factory.SelfAttribute("assessment.learner")
    programme_version = factory.SelfAttribute("assessment.programme_version")
    status = Award.Status.PENDING

    class Params:
        issued = factory.Trait(
            status=Award.Status.ISSUED, issued_at=factory.LazyFunction(timezone.now)
        )
