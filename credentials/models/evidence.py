"""Evidence files: what a learner produced for an assessment (a report, a portfolio), stored by
the portal so that the badge's link lasts when the LMS's copy is gone, with a digest in the
badge so that anyone can check a copy (credentials/services/evidence.py)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


def evidence_path(instance, filename):
    return f"evidence/{instance.public_id}/{filename}"


class EvidenceFile(models.Model):
    assessment = models.ForeignKey(
        "credentials.Assessment",
        on_delete=models.PROTECT,
        related_name="evidence_files",
        verbose_name=_("assessment"),
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    genre = models.CharField(
        _("kind of evidence"), max_length=100, blank=True, help_text=_("e.g. Report, Portfolio")
    )
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    uploaded_by = models.CharField(_("uploaded by"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.name
