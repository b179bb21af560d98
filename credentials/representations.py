"""How an award and a batch job look outside the portal: the body of GET /awards/{id}/ and
GET /batches/{id}/, and the `data` of the webhooks about them (one shape for integrators).

Services emit webhooks with these, so they live beside the record, not in the API layer.
"""

import uuid

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from credentials.models import Award, IssuingBatch
from credentials.selectors import EXPIRED, award_learner_name

# ---- awards -------------------------------------------------------------------------------


class AwardLinksSerializer(serializers.Serializer):
    ob2_assertion = serializers.URLField(allow_null=True)
    ob3_credential = serializers.URLField(allow_null=True)
    ob2_png = serializers.URLField(allow_null=True)
    ob2_svg = serializers.URLField(allow_null=True)
    ob3_png = serializers.URLField(allow_null=True)
    ob3_svg = serializers.URLField(allow_null=True)
    public_page = serializers.URLField(allow_null=True)


def _absolute(name: str, **kwargs) -> str | None:
    # badges owns these routes; credentials never imports it, so they are reversed by name.
    try:
        return settings.PORTAL_BASE_URL.rstrip("/") + reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def award_links(award: Award) -> dict:
    links = dict.fromkeys(AwardLinksSerializer().fields, None)
    if award.status == Award.Status.PENDING:
        return links  # nothing is signed before the award is issued
    public_id = award.public_id
    links["ob2_assertion"] = _absolute("badges:ob2-assertion", public_id=public_id)
    links["ob3_credential"] = _absolute("badges:ob3-credential", public_id=public_id)
    links["public_page"] = _absolute("badges:credential-page", public_id=public_id)
    for variant in ("ob2.png", "ob2.svg", "ob3.png", "ob3.svg"):
        links[variant.replace(".", "_")] = _absolute(
            "badges:baked-image", public_id=public_id, variant=variant
        )
    return links


class AwardLearnerOutputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    name_ja = serializers.CharField()
    name_en = serializers.CharField()


class AwardOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    status = serializers.SerializerMethodField()
    program = serializers.IntegerField(source="programme_version.programme_id")
    program_slug = serializers.CharField(source="programme_version.programme.slug")
    version = serializers.IntegerField(source="programme_version.number")
    learner = serializers.SerializerMethodField()
    assessment = serializers.IntegerField(source="assessment_id", allow_null=True)
    issued_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    revocation_reason = serializers.CharField()
    suspended_at = serializers.DateTimeField(
        allow_null=True, help_text="Set while the award is suspended (still issued)."
    )
    suspension_reason = serializers.CharField()
    supersedes = serializers.UUIDField(
        source="supersedes.public_id",
        allow_null=True,
        default=None,
        help_text="The award this corrected reissue replaces.",
    )
    superseded_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    links = serializers.SerializerMethodField()

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_superseded_by(self, award):
        replacement = getattr(award, "superseded_by", None)
        return str(replacement.public_id) if replacement is not None else None

    @extend_schema_field(serializers.ChoiceField(choices=[*Award.Status.values, EXPIRED]))
    def get_status(self, award) -> str:
        effective = getattr(award, "effective_status", None)
        if effective:
            return effective
        return EXPIRED if award.is_expired else award.status

    @extend_schema_field(AwardLinksSerializer)
    def get_links(self, award):
        return award_links(award)

    @extend_schema_field(AwardLearnerOutputSerializer)
    def get_learner(self, award) -> dict:
        # The names the award's issuer recorded, never another issuer's: from the context's
        # bulk lookup (award_learner_names), an annotation (with_learner_names) or a query.
        name = self.context.get("learner_names", {}).get(award.pk) or award_learner_name(award)
        return {"email": award.learner.email, "name_ja": name.ja, "name_en": name.en}


def award_event_payload(award: Award, learner_names: dict | None = None) -> dict:
    """The `data` of award.issued / award.revoked webhooks: the award as GET /awards/{id}/
    shows it, so integrators parse one shape. `learner_names`: award_learner_names() of a
    whole list, so that a batch's webhooks make no query per award."""
    context = {"learner_names": learner_names or {}}
    return dict(AwardOutputSerializer(award, context=context).data)


# ---- batches ------------------------------------------------------------------------------


class BatchLinksSerializer(serializers.Serializer):
    self = serializers.URLField()
    errors = serializers.URLField(
        help_text=_("The failed items (JSON, or CSV with Accept: text/csv).")
    )
    parent = serializers.URLField(allow_null=True)
    follow_ups = serializers.ListField(child=serializers.URLField())


def _batch_url(name: str, batch: IssuingBatch) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse(name, kwargs={"id": batch.public_id})


class BatchOutputSerializer(serializers.Serializer):
    """A job and where it is. Counts come from its items (credentials.selectors_batches
    .batch_progress), so they move while it runs."""

    id = serializers.UUIDField(source="public_id")
    state = serializers.ChoiceField(choices=IssuingBatch.State.values)
    program = serializers.IntegerField(source="programme_version.programme_id")
    program_slug = serializers.CharField(source="programme_version.programme.slug")
    version = serializers.IntegerField(source="programme_version.number")
    source = serializers.ChoiceField(choices=IssuingBatch.Source.values)
    source_name = serializers.CharField()
    notify = serializers.BooleanField(source="notify_learners")
    total = serializers.IntegerField()
    done = serializers.IntegerField(
        source="progress.counts.done", help_text=_("Issued + skipped (recorded, no award).")
    )
    issued = serializers.IntegerField(source="progress.counts.issued")
    skipped = serializers.IntegerField(source="progress.counts.skipped")
    failed = serializers.IntegerField(source="progress.counts.failed")
    pending = serializers.IntegerField(source="progress.counts.waiting")
    percent = serializers.IntegerField(source="progress.percent")
    rate = serializers.FloatField(
        source="progress.rate", help_text=_("Items done per second since the job started.")
    )
    eta_seconds = serializers.IntegerField(
        source="progress.eta_seconds",
        allow_null=True,
        help_text=_("Estimated seconds left at that rate (null while it cannot be told)."),
    )
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    parent = serializers.SerializerMethodField(
        help_text=_("The job whose learners completed this stack (follow-up jobs only).")
    )
    follow_ups = serializers.SerializerMethodField(
        help_text=_("Jobs started after this one for the stacked programmes it completed.")
    )
    links = serializers.SerializerMethodField()

    def to_representation(self, batch):
        if not hasattr(batch, "progress"):
            # Imported here: services.batches.finishing imports this module for its webhook.
            from credentials.selectors_batches import batch_progress

            batch.progress = batch_progress(batch)
        return super().to_representation(batch)

    def get_parent(self, batch) -> uuid.UUID | None:
        parent = _parent(batch)
        return parent.public_id if parent else None

    def get_follow_ups(self, batch) -> list[uuid.UUID]:
        return [child.public_id for child in _follow_ups(batch)]

    @extend_schema_field(BatchLinksSerializer)
    def get_links(self, batch):
        return {
            "self": _batch_url("api:batch", batch),
            "errors": _batch_url("api:batch-errors", batch),
            "parent": _batch_url("api:batch", _parent(batch)) if _parent(batch) else None,
            "follow_ups": [_batch_url("api:batch", child) for child in _follow_ups(batch)],
        }


# A stack may build on another issuer's programmes: only jobs of the same issuer are named,
# so that every id and link given can be followed with the same token.


def _parent(batch: IssuingBatch) -> IssuingBatch | None:
    parent = batch.parent if batch.parent_id else None
    return parent if parent and parent.issuer_id == batch.issuer_id else None


def _follow_ups(batch: IssuingBatch) -> list[IssuingBatch]:
    # Read once per representation (the list view prefetches them).
    if not hasattr(batch, "_follow_up_list"):
        children = sorted(batch.follow_ups.all(), key=lambda b: b.pk)
        batch._follow_up_list = [b for b in children if b.issuer_id == batch.issuer_id]
    return batch._follow_up_list


def batch_event_payload(batch: IssuingBatch) -> dict:
    """The `data` of the batch.completed webhook: the job as GET /batches/{id}/ shows it."""
    return dict(BatchOutputSerializer(batch).data)
