"""Writing programmes: create, edit drafts, revise published ones, publish, retire, stacks.

A published version is frozen because awards point at it; changing a published programme
opens a new draft version that becomes live when it is published.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credentials.badge_design import validate_badge_image
from credentials.models import Programme, ProgrammeVersion, StackRequirement
from credentials.selectors import programme_report
from frameworks.i18n import current_lang
from frameworks.selectors import get_default_framework
from issuers.images import sanitised_upload
from issuers.models import Issuer
from issuers.permissions import Action
from issuers.selectors import agreement_partners
from issuers.services import record_audit, require_permission

# What an editor may change on a version; anything else is a programming error.
VERSION_FIELDS = frozenset(
    {
        "descriptors",
        "criteria_ja",
        "criteria_en",
        "validity_months",
        "auto_issue_stack",
        "badge_image",
    }
)


def _set_version_fields(version: ProgrammeVersion, fields: dict) -> list[str]:
    unknown = set(fields) - VERSION_FIELDS
    if unknown:
        raise TypeError(f"Not a programme version field: {', '.join(sorted(unknown))}")
    changed = []
    for name, value in fields.items():
        if name == "badge_image":
            if value is None:
                continue  # None keeps the current image; "" or False clears it
            value = _sanitised_badge_image(value) if value else ""
        if getattr(version, name) != value:
            setattr(version, name, value)
            changed.append(name)
    return changed


def _sanitised_badge_image(file):
    """The checked upload; an SVG is replaced by its allow-listed copy before it is stored."""
    try:
        validate_badge_image(file)
        return sanitised_upload(file)
    except ValidationError as error:
        raise ValidationError({"badge_image": error.messages}) from error


def _save_version(version: ProgrammeVersion) -> None:
    if version.badge_image:
        try:
            validate_badge_image(version.badge_image)
        except ValidationError as error:
            raise ValidationError({"badge_image": error.messages}) from error
    version.full_clean()
    version.save()


@transaction.atomic
def create_programme(
    *, actor, issuer: Issuer, slug: str, descriptors: dict, request=None, **version_fields
) -> Programme:
    """A new draft programme with its first version."""
    require_permission(actor, issuer, Action.EDIT_PROGRAMME)
    programme = Programme(issuer=issuer, slug=slug)
    programme.full_clean()
    programme.save()
    version = ProgrammeVersion(programme=programme, number=1, created_by=actor)
    _set_version_fields(version, {"descriptors": descriptors, **version_fields})
    _save_version(version)
    record_audit(
        actor=actor,
        action="programme.create",
        target=programme,
        issuer=issuer,
        details={"slug": slug, "version": 1},
        request=request,
    )
    return programme


@transaction.atomic
def update_programme_draft(
    *, actor, version: ProgrammeVersion, request=None, **fields
) -> ProgrammeVersion:
    """Edit an unpublished version in place."""
    programme = version.programme
    require_permission(actor, programme.issuer, Action.EDIT_PROGRAMME)
    version = ProgrammeVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise ValidationError(
            _("A published version cannot be changed; revise the programme to open a new version.")
        )
    changed = _set_version_fields(version, fields)
    if not changed:
        return version
    _save_version(version)
    record_audit(
        actor=actor,
        action="programme.update",
        target=programme,
        issuer=programme.issuer,
        details={"version": version.number, "fields": sorted(changed)},
        request=request,
    )
    return version


@transaction.atomic
def revise_programme(*, actor, programme: Programme, request=None, **fields) -> ProgrammeVersion:
    """Edit a programme: its open draft in place, or a new version if the newest is published."""
    require_permission(actor, programme.issuer, Action.EDIT_PROGRAMME)
    # The lock serialises version numbering for concurrent editors.
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.status == Programme.Status.RETIRED:
        raise ValidationError(_("A retired programme cannot be changed."))
    latest = programme.versions.order_by("-number").first()
    if not latest.is_published:
        return update_programme_draft(actor=actor, version=latest, request=request, **fields)
    version = ProgrammeVersion(
        programme=programme,
        number=latest.number + 1,
        created_by=actor,
        descriptors=latest.descriptors,
        criteria_ja=latest.criteria_ja,
        criteria_en=latest.criteria_en,
        validity_months=latest.validity_months,
        auto_issue_stack=latest.auto_issue_stack,
        badge_image=latest.badge_image.name,
    )
    changed = _set_version_fields(version, fields)
    if not changed:
        return latest  # the same content as the live version: no new version
    _save_version(version)
    record_audit(
        actor=actor,
        action="programme.revise",
        target=programme,
        issuer=programme.issuer,
        details={"version": version.number, "from_version": latest.number, "fields": changed},
        request=request,
    )
    return version


def _publication_problems(report) -> list[str]:
    """Why a report blocks publication, in the current language."""
    english = current_lang() == "en"
    problems = []
    for result in report.results:
        if result.status == "ok" or (result.status == "missing" and not result.required):
            continue
        problems.append(result.reason_en if english else result.reason_ja)
    for rule in report.rules:
        if rule.severity == "error":
            problems.append(rule.message_en if english else rule.message_ja)
    if not report.is_micro_credential and not report.errors:
        problems.insert(
            0,
            _(
                "This programme does not meet the definition of a micro-credential (for "
                "example, it is participation only, without assessment), so it cannot be "
                "published as one."
            ),
        )
    return list(dict.fromkeys(problem for problem in problems if problem))


@transaction.atomic
def publish_programme(*, actor, programme: Programme, request=None) -> ProgrammeVersion:
    """Make the newest version live, if the framework says it is a complete micro-credential."""
    require_permission(actor, programme.issuer, Action.EDIT_PROGRAMME)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.status == Programme.Status.RETIRED:
        raise ValidationError(_("A retired programme cannot be published again."))
    version = programme.versions.order_by("-number").first()
    if version.is_published:
        return version  # nothing new to publish
    framework = get_default_framework()
    report = programme_report(version, framework)
    if not (report.is_valid and report.is_micro_credential):
        raise ValidationError(
            [_("The programme cannot be published:"), *_publication_problems(report)],
            code="not_publishable",
        )
    version.framework = framework
    version.published_at = timezone.now()
    version.save(update_fields=["framework", "published_at", "updated_at"])
    programme.status = Programme.Status.PUBLISHED
    programme.save(update_fields=["status", "updated_at"])
    record_audit(
        actor=actor,
        action="programme.publish",
        target=programme,
        issuer=programme.issuer,
        details={"version": version.number, "completeness": report.completeness},
        request=request,
    )
    return version


@transaction.atomic
def retire_programme(*, actor, programme: Programme, request=None) -> Programme:
    """Stop making new awards. Awards already issued stay valid."""
    require_permission(actor, programme.issuer, Action.EDIT_PROGRAMME)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.status == Programme.Status.RETIRED:
        return programme
    programme.status = Programme.Status.RETIRED
    programme.save(update_fields=["status", "updated_at"])
    record_audit(
        actor=actor,
        action="programme.retire",
        target=programme,
        issuer=programme.issuer,
        request=request,
    )
    return programme


def _requires_transitively(programme: Programme, target: Programme) -> bool:
    """Whether `programme`'s stack (directly or through others) includes `target`."""
    seen, frontier = set(), {programme.pk}
    while frontier:
        if target.pk in frontier:
            return True
        seen |= frontier
        frontier = (
            set(
                StackRequirement.objects.filter(target_id__in=frontier).values_list(
                    "required", flat=True
                )
            )
            - seen
            - {None}
        )
    return False


@transaction.atomic
def set_stack_requirement(
    *, actor, target: Programme, required, min_count: int | None = None, request=None
) -> StackRequirement | None:
    """Require all (or `min_count`) of `required` for `target`; an empty set removes it."""
    require_permission(actor, target.issuer, Action.EDIT_PROGRAMME)
    required = list(required)
    existing = StackRequirement.objects.filter(target=target).first()
    if not required:
        if existing is not None:
            if existing.awards.exists():
                raise ValidationError(
                    _("Awards were made through this stack, so it cannot be removed.")
                )
            existing.delete()
            record_audit(
                actor=actor,
                action="stack.remove",
                target=target,
                issuer=target.issuer,
                request=request,
            )
        return None
    partners = agreement_partners(target.issuer)
    if any(p.issuer_id != target.issuer_id and p.issuer_id not in partners for p in required):
        raise ValidationError(
            _(
                "A stack can only require programmes of its own issuer or of an issuer with a "
                "consortium agreement in force."
            )
        )
    if any(programme.pk == target.pk for programme in required):
        raise ValidationError(_("A programme cannot require itself."))
    if any(_requires_transitively(programme, target) for programme in required):
        raise ValidationError(_("These requirements would make a cycle of stacks."))
    if min_count is not None and not 1 <= min_count <= len(required):
        raise ValidationError(
            _("The number needed must be between 1 and %(count)s.") % {"count": len(required)}
        )
    requirement = existing or StackRequirement(target=target)
    requirement.min_count = min_count
    requirement.full_clean()
    requirement.save()
    requirement.required.set(required)
    record_audit(
        actor=actor,
        action="stack.set",
        target=target,
        issuer=target.issuer,
        details={"required": sorted(p.slug for p in required), "min_count": min_count},
        request=request,
    )
    return requirement
