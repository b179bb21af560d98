"""Learners' names move from the shared Learner onto each issuer's LearnerEnrolment: an issuer
sees only the names it recorded itself. Every existing enrolment gets a copy of its learner's
names (what each issuer saw until now); a learner without any enrolment keeps only the e-mail."""

from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce


def copy_names_to_enrolments(apps, schema_editor):
    Learner = apps.get_model("credentials", "Learner")
    LearnerEnrolment = apps.get_model("credentials", "LearnerEnrolment")
    learner = Learner.objects.filter(pk=OuterRef("learner_id"))
    LearnerEnrolment.objects.update(
        name_ja=Subquery(learner.values("name_ja")[:1]),
        name_en=Subquery(learner.values("name_en")[:1]),
    )


def copy_names_back(apps, schema_editor):
    """Reversing: a learner takes the names of their earliest enrolment ("?" without one)."""
    Learner = apps.get_model("credentials", "Learner")
    LearnerEnrolment = apps.get_model("credentials", "LearnerEnrolment")
    first = LearnerEnrolment.objects.filter(learner_id=OuterRef("pk")).order_by("created_at", "pk")
    Learner.objects.update(
        name_ja=Coalesce(Subquery(first.values("name_ja")[:1]), Value("")),
        name_en=Coalesce(Subquery(first.values("name_en")[:1]), Value("")),
    )
    Learner.objects.filter(name_ja="", name_en="").update(name_ja="?")


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0003_issuing_batches"),
    ]

    operations = [
        migrations.AddField(
            model_name="learnerenrolment",
            name="name_ja",
            field=models.CharField(blank=True, max_length=200, verbose_name="full name (Japanese)"),
        ),
        migrations.AddField(
            model_name="learnerenrolment",
            name="name_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="full name (English)"),
        ),
        migrations.RunPython(copy_names_to_enrolments, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="learnerenrolment",
            constraint=models.CheckConstraint(
                condition=~Q(name_ja="") | ~Q(name_en=""), name="enrolment_has_a_name"
            ),
        ),
        migrations.RemoveConstraint(
            model_name="learner",
            name="learner_has_a_name",
        ),
        migrations.RunPython(migrations.RunPython.noop, copy_names_back),
        migrations.RemoveField(
            model_name="learner",
            name="name_ja",
        ),
        migrations.RemoveField(
            model_name="learner",
            name="name_en",
        ),
    ]
