"""Batch issuing: a job that turns a list (a CSV file, an API list, every learner with a
passing assessment, a stack follow-up) into issued awards, in chunks that workers process
independently. The database is the truth about where a job is: a lost broker message, a
killed worker or a restarted Redis only delays a chunk, which the sweep hands out again."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from issuers.models import ApiClient, Issuer

from .records import Award, Learner, ProgrammeVersion


class IssuingBatch(models.Model):
    class Source(models.TextChoices):
        CSV = "csv", _("CSV file")
        API = "api", _("API list")
        PASSING = "passing", _("All learners with a passing assessment")
        STACK = "stack", _("Stacked programmes (follow-up)")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        COMPLETED_WITH_ERRORS = "completed_with_errors", _("Completed with errors")
        CANCELLED = "cancelled", _("Cancelled")

    FINISHED_STATES = (State.COMPLETED, State.COMPLETED_WITH_ERRORS, State.CANCELLED)

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    issuer = models.ForeignKey(
        Issuer, on_delete=models.PROTECT, related_name="batches", verbose_name=_("issuer")
    )
    programme_version = models.ForeignKey(
        ProgrammeVersion,
        on_delete=models.PROTECT,
        related_name="batches",
        verbose_name=_("programme version"),
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    source_name = models.CharField(_("source name"), max_length=255, blank=True)
    source_sha256 = models.CharField(_("source SHA-256"), max_length=64, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    api_client = models.ForeignKey(
        ApiClient,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="batches",
        verbose_name=_("API client"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("started after"),
    )
    notify_learners = models.BooleanField(_("e-mail the learners"), default=True)
    state = models.CharField(_("state"), max_length=24, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(_("items"), default=0)
    # Final counts, written when the job finishes; while it runs they come from the items.
    done_count = models.PositiveIntegerField(_("done"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    chunk_size = models.PositiveIntegerField(_("chunk size"), default=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("issuing batch")
        verbose_name_plural = _("issuing batches")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    state__in=["queued", "running", "completed", "completed_with_errors",
                               "cancelled"]
                ),
                name="batch_state_known",
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.programme_version} × {self.total} ({self.get_state_display()})"

    @property
    def is_finished(self) -> bool:
        return self.state in self.FINISHED_STATES


class BatchChunk(models.Model):
    """A slice of a batch that one task processes: signed (awards, status indices, OB 2.0 and
    3.0 signatures in one transaction), then baked (images), then done."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SIGNING = "signing", _("Signing")
        BAKING = "baking", _("Baking")
        DONE = "done", _("Done")

    batch = models.ForeignKey(IssuingBatch, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    # When the current stage's task was last queued: the sweep re-queues a stalled one.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Per-stage milliseconds and the worker's peak RSS, for the progress page and benchmarks.
    metrics = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="one_chunk_per_number"),
        ]

    def __str__(self):
        return f"chunk {self.number} of batch {self.batch_id} ({self.state})"


class BatchItem(models.Model):
    """One award to make: the row as it came in, then the award, or the reason it failed."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SIGNED = "signed", _("Signed")
        ISSUED = "issued", _("Issued")
        SKIPPED = "skipped", _("No award")  # recorded, but not a pass (or proposed only)
        FAILED = "failed", _("Failed")

    FINISHED_STATES = (State.ISSUED, State.SKIPPED, State.FAILED)

    class Notification(models.TextChoices):
        NONE = "", _("Not sent")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    batch = models.ForeignKey(IssuingBatch, on_delete=models.CASCADE, related_name="items")
    chunk = models.PositiveIntegerField()
    line = models.PositiveIntegerField(_("line"))  # in the file, or position in the list
    data = models.JSONField(_("input"), default=dict)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    learner = models.ForeignKey(
        Learner, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    award = models.ForeignKey(
        Award, on_delete=models.PROTECT, null=True, blank=True, related_name="batch_items"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    error_ja = models.TextField(_("error (Japanese)"), blank=True)
    error_en = models.TextField(_("error (English)"), blank=True)
    notification = models.CharField(
        _("notification"), max_length=8, choices=Notification.choices, blank=True, default=""
    )
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("batch item")
        verbose_name_plural = _("batch items")
        ordering = ["batch", "line"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line"], name="one_item_per_line"),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "signed", "issued", "skipped", "failed"]),
                name="batch_item_state_known",
            ),
        ]
        indexes = [
            models.Index(fields=["batch", "chunk", "state"], name="batch_item_chunk_state"),
            models.Index(fields=["batch", "state"], name="batch_item_state"),
        ]

    def __str__(self):
        return f"{self.batch_id}:{self.line} {self.email} ({self.state})"

    def error_in(self, language: str) -> str:
        return self.error_en if language == "en" and self.error_en else self.error_ja
