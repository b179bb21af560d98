"""What a stacked award was built from, as Evidence in its OB 2.0 and OB 3.0 documents: each
component award of the portal (by its own credential / assertion URL) and each recognised
outside achievement (by its credential's own ID, with who issued it and when the portal verified
it). Badge content is read in either language by anyone, so the labels carry both."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from badges import extension
from frameworks.i18n import pick

COMPONENT_GENRE = "構成要素 / Component"
RECOGNISED_GENRE = "既修得学習の認定 / Recognised prior learning"


def _award_entry(component, url: str) -> dict:
    title = component.programme_version.title_in
    issuer = component.programme_version.programme.issuer
    return {
        "id": url,
        "name": f"{title('ja')} / {title('en') or title('ja')}",
        "narrative": f"発行者 / Issuer: {issuer.name_ja}"
        + (f" ({issuer.name_en})" if issuer.name_en else ""),
        "genre": COMPONENT_GENRE,
    }


def _recognition_entry(recognition) -> dict:
    achievement = recognition.achievement
    verified = timezone.localdate(achievement.submitted_at).isoformat()
    entry = {
        "name": f"{achievement.achievement_name}（{achievement.issuer_name}）",
        "narrative": (
            f"他機関の学修成果として {verified} に検証し、「{recognition.rule.stands_for}」に"
            f"相当すると認定。発行者 / Issuer: {achievement.issuer_id}. Verified on {verified} "
            f"and recognised in place of {recognition.rule.stands_for}."
        ),
        "genre": RECOGNISED_GENRE,
    }
    identifier = achievement.credential_id or achievement.achievement_id
    if identifier and ":" in identifier:
        entry = {"id": identifier, **entry}
    return entry


def component_evidence(award, *, ob2: bool = False) -> list[dict]:
    """Evidence entries for a stacked award's components (empty for any other award)."""
    if award.stack_requirement_id is None:
        return []
    route = "ob2-assertion" if ob2 else "ob3-credential"
    entries = [
        _award_entry(component, extension.portal_url(route, public_id=component.public_id))
        for component in award.component_awards.select_related(
            "programme_version__programme__issuer"
        ).order_by("pk")
    ]
    entries += [
        _recognition_entry(recognition)
        for recognition in award.component_recognitions.select_related(
            "achievement", "rule__stands_for"
        ).order_by("pk")
    ]
    return entries


def component_rows(award, lang: str) -> list[dict]:
    """What the credential page lists under 「積み上げた学修成果」: each component award (linked
    to its own page when the learner shows it) and each recognised outside achievement."""
    if award.stack_requirement_id is None:
        return []
    rows = []
    for component in award.component_awards.select_related(
        "programme_version__programme__issuer"
    ).order_by("pk"):
        issuer = component.programme_version.programme.issuer
        rows.append(
            {
                "kind": "award",
                "title": component.programme_version.title_in(lang)
                or component.programme_version.title,
                "issuer": pick(issuer.name_ja, issuer.name_en, lang),
                "url": reverse("badges:credential-page", kwargs={"public_id": component.public_id})
                if component.public_page_visible
                else None,
                "status": component.status,
            }
        )
    for recognition in award.component_recognitions.select_related(
        "achievement", "rule__stands_for"
    ).order_by("pk"):
        achievement = recognition.achievement
        rows.append(
            {
                "kind": "recognised",
                "title": achievement.achievement_name,
                "issuer": achievement.issuer_name,
                "url": None,
                "verified_on": timezone.localdate(achievement.submitted_at),
                "stands_for": recognition.rule.stands_for.published_version.title_in(lang)
                if recognition.rule.stands_for.published_version
                else str(recognition.rule.stands_for),
                "status": achievement.status,
            }
        )
    return rows
