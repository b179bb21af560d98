"""Endorsements need the endorsed issuer's consent (issue #13): pending → accepted/declined.
Existing endorsements of another issuer's programme become pending (they leave new badges until
that issuer accepts them); an issuer's endorsement of its own programme counts as accepted."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def accept_self_endorsements(apps, schema_editor):
    Endorsement = apps.get_model("badges", "Endorsement")
    Endorsement.objects.filter(endorser_id=F("programme_version__programme__issuer_id")).update(
        acceptance="accepted", decided_at=F("issued_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("badges", "0004_status_index_claims"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="endorsement",
            name="acceptance",
            field=models.CharField(
                choices=[
                    ("pending", "Awaiting acceptance"),
                    ("accepted", "Accepted"),
                    ("declined", "Declined"),
                ],
                default="pending",
                help_text="By the endorsed issuer: only accepted endorsements appear in its badges.",
                max_length=16,
                verbose_name="acceptance",
            ),
        ),
        migrations.AddField(
            model_name="endorsement",
            name="decided_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="accepted or declined at"
            ),
        ),
        migrations.AddField(
            model_name="endorsement",
            name="decided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="accepted or declined by",
            ),
        ),
        migrations.RunPython(accept_self_endorsements, migrations.RunPython.noop),
    ]
