"""Reads about frameworks. Public API for the other apps (keep these signatures stable):

    get_default_framework() -> Framework
    get_framework(slug, version=None) -> Framework
    get_crosswalk_framework(code) -> Framework          # "eu", "au", "jp"
    descriptors_for(framework) -> QuerySet[Descriptor]   # ordered by number, groups joined
    vocabulary_terms(framework, vocabulary_key) -> QuerySet[Term]
    vocabulary_index(framework) -> VocabularyIndex       # every vocabulary, in memory
    jeqf_level(level, framework=None) -> Term | None

Frameworks are immutable data loaded from frameworks/data/; nothing here writes.
"""

from django.db.models import Count, Prefetch, QuerySet

from .models import Descriptor, Framework, Term, Vocabulary
from .vocabularies import TermInfo, VocabularyIndex


def _version_key(framework: Framework) -> tuple:
    # "1.10" sorts after "1.9": compare versions as numbers where they are numbers.
    parts = tuple(int(p) if p.isdigit() else 0 for p in framework.version.split("."))
    return (framework.published_on is not None, framework.published_on, parts)


def get_default_framework() -> Framework:
    """The framework programmes are validated against unless they say otherwise."""
    try:
        return Framework.objects.get(is_default=True)
    except Framework.DoesNotExist:
        raise Framework.DoesNotExist(
            "No default framework is loaded; run `manage.py load_frameworks`."
        ) from None


def get_framework(slug: str, version: str | None = None) -> Framework:
    """A framework by slug and version; without a version, the default or else the newest."""
    if version is not None:
        return Framework.objects.get(slug=slug, version=version)
    candidates = list(Framework.objects.filter(slug=slug))
    if not candidates:
        raise Framework.DoesNotExist(f"No framework with slug {slug!r} is loaded.")
    defaults = [framework for framework in candidates if framework.is_default]
    return defaults[0] if defaults else max(candidates, key=_version_key)


def get_crosswalk_framework(code: str) -> Framework:
    """The newest framework a crosswalk target code (e.g. "eu") names."""
    candidates = list(Framework.objects.filter(crosswalk_code=code))
    if not candidates:
        known = sorted(
            set(
                Framework.objects.exclude(crosswalk_code="").values_list(
                    "crosswalk_code", flat=True
                )
            )
        )
        raise ValueError(f"Unknown crosswalk target {code!r}; known: {', '.join(known)}")
    return max(candidates, key=_version_key)


def list_frameworks() -> QuerySet[Framework]:
    """Every loaded framework, default first, with its descriptor counts."""
    return Framework.objects.annotate(descriptor_count=Count("descriptors")).order_by(
        "-is_default", "slug", "-published_on", "version"
    )


def descriptors_for(framework: Framework) -> QuerySet[Descriptor]:
    return Descriptor.objects.filter(framework=framework).select_related("group").order_by("number")


def vocabulary_terms(framework: Framework, vocabulary_key: str) -> QuerySet[Term]:
    """The terms of one vocabulary, in order (shared vocabularies are followed)."""
    return Term.objects.filter(
        vocabulary__framework_id=framework.vocabulary_owner.pk, vocabulary__key=vocabulary_key
    ).order_by("order")


def vocabularies_for(framework: Framework) -> QuerySet[Vocabulary]:
    return (
        Vocabulary.objects.filter(framework_id=framework.vocabulary_owner.pk)
        .order_by("key")
        .prefetch_related(Prefetch("terms", queryset=Term.objects.order_by("order")))
    )


def vocabulary_index(framework: Framework) -> VocabularyIndex:
    return VocabularyIndex(
        {
            vocabulary.key: [
                TermInfo(
                    code=term.code,
                    label_ja=term.label_ja,
                    label_en=term.label_en,
                    description_ja=term.description_ja,
                    description_en=term.description_en,
                    data=term.data,
                )
                for term in vocabulary.terms.all()
            ]
            for vocabulary in vocabularies_for(framework)
        }
    )


def jeqf_level(level: int, framework: Framework | None = None) -> Term | None:
    """The JEQF level term (label, meaning, qualifications in data) or None if there is none."""
    framework = framework or get_default_framework()
    return vocabulary_terms(framework, "jeqf_levels").filter(code=str(level)).first()
