"""Public pages for people: /verify/ (employers check a badge) and the credential page of an
award (learners share it). Thin views: verification is badges.verification, rows come from
badges.selectors, the descriptor table from frameworks.crosswalk."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from urllib.parse import quote, urlencode, urlsplit

import qrcode
import qrcode.image.svg
from csp.decorators import csp_update
from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from badges import ob3
from badges.components import component_rows
from badges.forms import MAX_UPLOAD_BYTES, MAX_UPLOAD_MB, VerifyForm
from badges.models import BadgeRecord
from badges.selectors import record_for_public_id
from badges.verification import verify_badge
from badges.verification.portal import verification_fetcher
from badges.views import page_cache
from common.body_limits import limit_request_body
from credentials.models import Award
from credentials.selectors import award_learner_name, session_learner_id
from frameworks.crosswalk import crosswalk
from frameworks.i18n import current_lang, pick
from frameworks.selectors import jeqf_level
from issuers.authentication import VerifyRateThrottle
from issuers.selectors import quality_assurance_descriptor

# Plain words first: the banner is what an employer reads; the checks below say why.
VERDICTS = {
    "valid": (gettext_lazy("This badge is valid"), gettext_lazy("It was checked just now.")),
    "invalid": (
        gettext_lazy("This badge is not valid"),
        gettext_lazy("It has been altered or its signature does not match its issuer."),
    ),
    "revoked": (
        gettext_lazy("This badge has been revoked"),
        gettext_lazy("The issuer has withdrawn it."),
    ),
    "suspended": (
        gettext_lazy("This badge is suspended"),
        gettext_lazy("The issuer has suspended it: do not rely on it until it is reinstated."),
    ),
    "expired": (
        gettext_lazy("This badge has expired"),
        gettext_lazy("Its period of validity has ended."),
    ),
    "recipient_mismatch": (
        gettext_lazy("This badge was issued to someone else"),
        gettext_lazy("It was not issued to the e-mail address given."),
    ),
    "error": (
        gettext_lazy("This badge could not be verified"),
        gettext_lazy("See the reason below."),
    ),
}
CHECK_STATUS = {
    # Contexts: "Passed"/"Failed" also name assessment results elsewhere in the portal.
    "pass": pgettext_lazy("verification check", "Passed"),
    "fail": pgettext_lazy("verification check", "Failed"),
    "warn": pgettext_lazy("verification check", "Note"),
    "skip": pgettext_lazy("verification check", "Not checked"),
}
_XML_DECLARATION = re.compile(r"^<\?xml[^>]*\?>\s*")


def _absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


class VerifyFormThrottle(VerifyRateThrottle):
    """The verify page fetches URLs for anyone, like POST /api/v1/verify/: the same rate per
    client address (REST_FRAMEWORK's "verify" rate; None turns it off), counted apart."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": "verify-form", "ident": self.get_ident(request)}


def _localized(value, lang: str) -> str:
    if isinstance(value, dict):
        return pick(str(value.get("ja") or ""), str(value.get("en") or ""), lang)
    return str(value or "")


def _descriptor_context(descriptors: dict, lang: str, *, awarding_body=None) -> dict:
    """The framework's descriptors as a readable table plus the level's JEQF meaning."""
    if not isinstance(descriptors, dict) or not descriptors:
        return {}
    table = crosswalk(descriptors, "jp", lang=lang, awarding_body=awarding_body)
    level = descriptors.get("level")
    term = None
    if isinstance(level, dict) and isinstance(level.get("jeqf"), int):
        term = jeqf_level(level["jeqf"])
    return {
        "crosswalk": table,
        "jeqf": {
            "level": level["jeqf"],
            "label": pick(term.label_ja, term.label_en, lang),
            "meaning": pick(term.description_ja, term.description_en, lang),
        }
        if term
        else None,
    }


_VERSION_CONTEXTS: dict = {}


def _version_descriptor_context(version, issuer, lang: str) -> dict:
    """_descriptor_context of a programme version for its credential pages, made once per
    version, issuer profile and language (both timestamps are in the key, so an edit of either
    is seen at once)."""
    key = (version.pk, version.updated_at, issuer.pk, issuer.updated_at, lang)
    found = _VERSION_CONTEXTS.get(key)
    if found is None:
        if len(_VERSION_CONTEXTS) >= 1024:
            _VERSION_CONTEXTS.clear()
        found = _descriptor_context(version.descriptors, lang, awarding_body=issuer)
        _VERSION_CONTEXTS[key] = found
    return found


def _quality_assurance_text(qa, lang: str) -> str:
    # The QA statement has the descriptor's shape: the framework writes it out readably.
    if not isinstance(qa, dict) or not qa:
        return _localized(qa, lang) if isinstance(qa, (str, dict)) else ""
    table = crosswalk({"quality_assurance": qa}, "jp", lang=lang)
    return next((e.value for e in table.elements if e.key == "quality_assurance"), "")


def _web_url(value):
    """Only http(s) links from a verified document reach the page: a badge is untrusted input
    and a javascript: or data: URL in an href would run in the employer's browser."""
    if isinstance(value, str) and urlsplit(value).scheme in ("http", "https"):
        return value
    return None


def _image_url(value):
    if isinstance(value, str) and re.match(r"data:image/(png|svg\+xml)[;,]", value):
        return value
    return _web_url(value)


def _parsed(value):
    try:
        return parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _result_context(result, lang: str) -> dict:
    data = result.as_dict()
    title, explanation = VERDICTS.get(result.verdict, VERDICTS["error"])
    issuer = result.issuer or {}
    achievement = result.achievement or {}
    checks = [
        {
            "code": check.code,
            "status": check.status,
            "status_label": CHECK_STATUS.get(check.status, check.status),
            "message": check.message_en if lang == "en" else check.message_ja,
        }
        for check in result.checks
    ]
    failed = [c for c in checks if c["status"] == "fail"]
    return {
        "verdict": result.verdict,
        "verdict_title": title,
        "verdict_explanation": failed[0]["message"]
        if result.verdict == "error" and failed
        else explanation,
        "checks": checks,
        "issuer": {
            "name": _localized(issuer.get("name_localized"), lang) or issuer.get("name"),
            "url": _web_url(issuer.get("url")),
            "quality_assurance": _quality_assurance_text(issuer.get("quality_assurance"), lang),
        },
        "achievement": {
            "name": _localized(achievement.get("name_localized"), lang) or achievement.get("name"),
            "image": _image_url(achievement.get("image")),
        },
        "endorsements": [
            *(issuer.get("endorsements") or []),
            *(achievement.get("endorsements") or []),
        ],
        "valid_from": result.valid_from,
        "valid_until": result.valid_until,
        "valid_from_at": _parsed(result.valid_from),
        "valid_until_at": _parsed(result.valid_until),
        "raw_json": json.dumps(data, ensure_ascii=False, indent=2, default=str),
        **_descriptor_context(result.descriptors, lang),
    }


# A verified badge from another platform shows its own image (an https URL, _image_url); an
# <img> runs nothing, so this page alone may load images from elsewhere (docs/security.md).
@csp_update({"img-src": ["https:"]})
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@limit_request_body(MAX_UPLOAD_BYTES)
def verify(request):
    lang = current_lang()
    context = {"max_upload_mb": MAX_UPLOAD_MB}
    throttle = VerifyFormThrottle()
    if request.method == "POST" and not throttle.allow_request(request, None):
        form = VerifyForm(request.POST)
        form.refuse_as_rate_limited()
        response = render(request, "badges/verify.html", {"form": form, **context}, status=429)
        wait = throttle.wait()
        if wait is not None:
            response["Retry-After"] = str(max(1, round(wait)))
        return response
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            result = verify_badge(
                form.badge_data(),
                email=form.cleaned_data.get("email") or None,
                fetcher=verification_fetcher(),
            )
            context["result"] = _result_context(result, lang)
    else:
        form = VerifyForm()
    return render(request, "badges/verify.html", {"form": form, **context})


# --- credential page -------------------------------------------------------------------------


def _public_record(public_id) -> BadgeRecord | None:
    """The badge record of an issued or revoked award; None for anything else."""
    try:
        record = record_for_public_id(public_id)
    except BadgeRecord.DoesNotExist:
        return None
    if record.award.status not in (Award.Status.ISSUED, Award.Status.REVOKED):
        return None
    return record


def _record_or_404(public_id) -> BadgeRecord:
    record = _public_record(public_id)
    if record is None:
        raise Http404
    return record


def _credential_unavailable(request):
    """Missing and private pages answer alike (404), so a page's existence is not revealed;
    the page says how to verify a badge file one holds."""
    response = render(request, "badges/credential_unavailable.html", status=404)
    response["Vary"] = "Accept-Language, Cookie"
    return response


def _status(award: Award) -> str:
    """Computed from the record (no network): the same verdict words as /verify/."""
    if award.status == Award.Status.REVOKED:
        return "revoked"
    if award.suspended_at is not None:
        return "suspended"
    if award.expires_at and award.expires_at <= timezone.now():
        return "expired"
    return "valid"


@lru_cache(maxsize=4096)
def _qr_svg(url: str) -> str:
    """Made once per URL and process: half of a credential page's time went here."""
    return _make_qr_svg(url)


def _make_qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    return _XML_DECLARATION.sub("", svg)


def _share_links(title: str, issuer_name: str, award: Award, page_url: str) -> dict:
    issued = award.issued_at
    issuer = award.programme_version.programme.issuer
    linkedin = {
        "startTask": "CERTIFICATION_NAME",
        "name": title,
    }
    # With organizationId LinkedIn links the issuer's company page and ignores the name; the
    # name stays as the fallback LinkedIn shows when it has no page for the id.
    if issuer.linkedin_organization_id:
        linkedin["organizationId"] = issuer.linkedin_organization_id
    linkedin |= {
        "organizationName": issuer_name,
        "issueYear": issued.year,
        "issueMonth": issued.month,
        "certUrl": page_url,
        "certId": str(award.public_id),
    }
    if award.expires_at:
        linkedin["expirationYear"] = award.expires_at.year
        linkedin["expirationMonth"] = award.expires_at.month
    text = _("%(title)s — %(issuer)s") % {"title": title, "issuer": issuer_name}
    return {
        "linkedin_add": "https://www.linkedin.com/profile/add?"
        + urlencode(linkedin, quote_via=quote),
        "linkedin_share": "https://www.linkedin.com/sharing/share-offsite/?"
        + urlencode({"url": page_url}, quote_via=quote),
        "x": "https://twitter.com/intent/tweet?"
        + urlencode({"text": text, "url": page_url}, quote_via=quote),
        "email": "mailto:?"
        + urlencode({"subject": text, "body": f"{text}\n{page_url}"}, quote_via=quote),
    }


def _replacement_url(award) -> str:
    """The corrected credential's page, when this award was superseded by a reissue."""
    replacement = Award.objects.filter(supersedes=award).only("public_id").first()
    if replacement is None:
        return ""
    return reverse("badges:credential-page", kwargs={"public_id": replacement.public_id})


def ob2_assertion_path(award) -> str:
    return reverse("badges:ob2-assertion", kwargs={"public_id": award.public_id})


def _jwt_downloads(record) -> list[tuple[str, str]]:
    """The VC-JWT form of the credential, when its issuer issues one."""
    if not record.ob3_jwt:
        return []
    public_id = record.award.public_id
    return [
        (
            _("Open Badges 3.0 credential (VC-JWT)"),
            reverse("badges:ob3-credential-jwt", kwargs={"public_id": public_id}),
        ),
        *(
            (
                _("Badge image, %(format)s (Open Badges 3.0, VC-JWT)") % {"format": name},
                reverse(
                    "badges:baked-jwt-image", kwargs={"public_id": public_id, "suffix": suffix}
                ),
            )
            for name, suffix in (("PNG", "png"), ("SVG", "svg"))
        ),
    ]


@require_safe
def credential_page(request, public_id):
    key, seconds = None, 0
    if page_cache.cacheable(request):
        key, seconds = page_cache.key_for(public_id, current_lang())
        kept = page_cache.get(key)
        if kept is not None:
            response = HttpResponse(kept)
            response["Vary"] = "Accept-Language, Cookie"
            return response
    response = _render_credential_page(request, public_id)
    if key and response.status_code == 200 and not response.owner_view:
        page_cache.keep(key, response.content, seconds)
    return response


def _render_credential_page(request, public_id):
    record = _public_record(public_id)
    if record is None:
        return _credential_unavailable(request)
    award = record.award
    # The learner may hide the page: others get 404, the learner still sees it (with a notice).
    # The badge files and their OB URLs stay public so that verifiers keep working.
    owner_only = not award.public_page_visible
    if owner_only and session_learner_id(request.session) != award.learner_id:
        return _credential_unavailable(request)
    version = award.programme_version
    issuer = version.programme.issuer
    lang = current_lang()
    title = version.title_in(lang) or version.title
    issuer_name = pick(issuer.name_ja, issuer.name_en, lang)
    learner_name = award_learner_name(award)  # as the award's issuer recorded it
    page_url = _absolute(reverse("badges:credential-page", kwargs={"public_id": award.public_id}))
    status = _status(award)
    downloads = [
        (
            image_format,
            ob_version,
            reverse(
                "badges:baked-image",
                kwargs={"public_id": award.public_id, "variant": f"ob{ob_version[0]}.{suffix}"},
            ),
        )
        for ob_version in ("3.0", "2.0")
        for image_format, suffix in (("PNG", "png"), ("SVG", "svg"))
    ]
    context = {
        "award": award,
        "owner_only": owner_only,
        "version": version,
        "issuer": issuer,
        "issuer_name": issuer_name,
        "issuer_qa": _quality_assurance_text(quality_assurance_descriptor(issuer), lang),
        "learner_name": learner_name.in_lang(lang),
        "title": title,
        "description": _localized(version.descriptors.get("content"), lang),
        "status": status,
        "status_title": VERDICTS[status][0],
        "page_url": page_url,
        "image_url": ob3.achievement_image_url(version),
        "downloads": downloads,
        "ob3_url": reverse("badges:ob3-credential", kwargs={"public_id": award.public_id}),
        "ob2_url": reverse("badges:credential-ob2-json", kwargs={"public_id": award.public_id}),
        "ob2_assertion_url": _absolute(ob2_assertion_path(award)),
        "ob3_absolute_url": _absolute(
            reverse("badges:ob3-credential", kwargs={"public_id": award.public_id})
        ),
        "jwt_downloads": _jwt_downloads(record),
        "replacement_url": _replacement_url(award),
        "is_owner": session_learner_id(request.session) == award.learner_id,
        "qr_svg": _qr_svg(page_url),
        "share": _share_links(title, issuer_name, award, page_url),
        "components": component_rows(award, lang),
        **_version_descriptor_context(version, issuer, lang),
    }
    response = render(request, "badges/credential.html", context)
    response["Vary"] = "Accept-Language, Cookie"
    response.owner_view = owner_only or context["is_owner"]
    return response


@require_safe
def credential_ob2_json(request, public_id):
    """The OB 2.0 assertion as a download: its own URL answers browsers with the page."""
    record = _record_or_404(public_id)
    if not record.ob2_assertion:
        raise Http404
    response = JsonResponse(
        record.ob2_assertion,
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Content-Disposition"] = f'attachment; filename="{record.award.public_id}-ob2.json"'
    return response
