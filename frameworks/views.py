"""Public, read-only pages: the frameworks, their descriptors and vocabularies (HTML and JSON)."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from .i18n import pick
from .models import Descriptor, Framework
from .rules import describe_rules
from .selectors import descriptors_for, list_frameworks, vocabularies_for

COMPARISON_FLAG_LABELS = {
    "required": _("Required"),
    "optional": _("Optional"),
    "present": _("Present"),
}


def _framework(slug: str, version: str) -> Framework:
    return get_object_or_404(Framework, slug=slug, version=version)


def _json(data) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})


def _columns(framework: Framework) -> list[dict]:
    return [
        {"code": column["code"], "label": pick(column["label_ja"], column["label_en"])}
        for column in framework.comparison_columns
    ]


def _descriptor_rows(framework: Framework) -> list[dict]:
    """Descriptors grouped under their group headings, each with its comparison flags."""
    columns = framework.comparison_columns
    groups: dict = {}
    for descriptor in descriptors_for(framework):
        flags = [descriptor.comparison_flag(column["code"]) for column in columns]
        group = groups.setdefault(descriptor.group_id, {"group": descriptor.group, "rows": []})
        group["rows"].append(
            {
                "descriptor": descriptor,
                "flags": [
                    {"code": flag, "label": COMPARISON_FLAG_LABELS.get(flag, "–")} for flag in flags
                ],
            }
        )
    return sorted(groups.values(), key=lambda entry: entry["group"].order)


@require_GET
def framework_list(request):
    return render(request, "frameworks/framework_list.html", {"frameworks": list_frameworks()})


@require_GET
def framework_detail(request, slug: str, version: str):
    framework = _framework(slug, version)
    context = {
        "framework": framework,
        "columns": _columns(framework),
        "groups": _descriptor_rows(framework),
        "rules": describe_rules(framework.rules),
        "vocabularies": vocabularies_for(framework),
        "vocabularies_from": framework.vocabularies_from,
    }
    return render(request, "frameworks/framework_detail.html", context)


def descriptor_as_dict(descriptor: Descriptor) -> dict:
    return {
        "number": descriptor.number,
        "key": descriptor.key,
        "group": descriptor.group.code,
        "label": {"ja": descriptor.label_ja, "en": descriptor.label_en},
        "required": descriptor.required,
        "source": descriptor.source,
        "value_type": descriptor.value_type,
        "draws_on": descriptor.draws_on,
        "help": {"ja": descriptor.help_ja, "en": descriptor.help_en},
        "comparison": descriptor.comparison,
    }


@require_GET
def framework_json(request, slug: str, version: str):
    framework = _framework(slug, version)
    return _json(
        {
            "slug": framework.slug,
            "version": framework.version,
            "name": {"ja": framework.name_ja, "en": framework.name_en},
            "published_on": framework.published_on.isoformat() if framework.published_on else None,
            "is_default": framework.is_default,
            "crosswalk_code": framework.crosswalk_code,
            "source_url": framework.source_url,
            "rules": framework.rules,
            "comparison_columns": framework.comparison_columns,
            "groups": [
                {"code": group.code, "label": {"ja": group.label_ja, "en": group.label_en}}
                for group in framework.groups.order_by("order")
            ],
            "descriptors": [descriptor_as_dict(d) for d in descriptors_for(framework)],
        }
    )


@require_GET
def vocabularies_json(request, slug: str, version: str):
    framework = _framework(slug, version)
    return _json(
        {
            "framework": {"slug": framework.slug, "version": framework.version},
            "vocabularies": {
                vocabulary.key: {
                    "label": {"ja": vocabulary.label_ja, "en": vocabulary.label_en},
                    "terms": [
                        {
                            "code": term.code,
                            "label": {"ja": term.label_ja, "en": term.label_en},
                            "description": {"ja": term.description_ja, "en": term.description_en},
                            "data": term.data,
                        }
                        for term in vocabulary.terms.all()
                    ],
                }
                for vocabulary in vocabularies_for(framework)
            },
        }
    )
