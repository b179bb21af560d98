"""Assessment and quality assurance: the two things that make learning a micro-credential."""

from django.utils.translation import gettext_lazy as _

from .base import (
    MUST_BE_BOOLEAN,
    MUST_BE_LIST,
    MUST_BE_OBJECT,
    MUST_NOT_BE_EMPTY,
    Problem,
    ValueType,
    check_code,
    check_fields,
    check_http_uri,
    check_localised_text,
    check_optional_localised_text,
    join_clauses,
    localised,
)

NOT_EXTERNAL_QA = _("“%(code)s” is not a kind of external quality assurance (allowed: %(allowed)s)")


def supervision_label(method: dict, lang: str, vocabularies) -> str:
    """The supervision-and-identity-verification category whose flags match the method's."""
    for term in vocabularies.terms("supervision_levels"):
        if term.data.get("supervised") == method.get("supervised") and term.data.get(
            "identity_verified"
        ) == method.get("identity_verified"):
            return term.label(lang)
    return ""


def counts_as_assessment(method, vocabularies) -> bool:
    """Whether a method assesses learning outcomes (participation alone does not)."""
    if not isinstance(method, dict):
        return False
    term = vocabularies.term("assessment_types", method.get("type"))
    return bool(term and term.data.get("counts_as_assessment", True))


def check_method(method, path, vocabularies):
    problems = check_fields(
        method,
        path,
        required=("type", "supervised", "identity_verified"),
        optional=("description",),
    )
    if problems is None:
        return [Problem(path, MUST_BE_OBJECT)]
    if "type" in method:
        problems += check_code(method["type"], f"{path}.type", vocabularies, "assessment_types")
    for flag in ("supervised", "identity_verified"):
        if flag in method and not isinstance(method[flag], bool):
            problems.append(Problem(f"{path}.{flag}", MUST_BE_BOOLEAN))
    return problems + check_optional_localised_text(method, "description", path)


def check_type_of_assessment(value, path, vocabularies):
    problems = check_fields(value, path, required=("methods",), optional=("note",))
    if problems is None:
        return [Problem(path, MUST_BE_OBJECT)]
    methods = value.get("methods")
    if "methods" in value:
        if not isinstance(methods, list):
            problems.append(Problem(f"{path}.methods", MUST_BE_LIST))
        elif not methods:
            problems.append(Problem(f"{path}.methods", MUST_NOT_BE_EMPTY))
        else:
            for index, method in enumerate(methods):
                problems += check_method(method, f"{path}.methods[{index}]", vocabularies)
    return problems + check_optional_localised_text(value, "note", path)


def _method_text(method, lang, vocabularies, *, with_supervision: bool) -> str:
    text = vocabularies.label("assessment_types", method["type"], lang)
    if with_supervision:
        supervision = supervision_label(method, lang, vocabularies)
        text = f"{text}（{supervision}）" if lang == "ja" else f"{text} ({supervision})"
    description = localised(method.get("description"), lang)
    if description:
        text = f"{text}：{description}" if lang == "ja" else f"{text}: {description}"
    return text


def render_methods(value, lang, vocabularies):
    return join_clauses(
        (_method_text(m, lang, vocabularies, with_supervision=False) for m in value["methods"]),
        lang,
    )


def render_supervision(value, lang, vocabularies):
    parts = []
    for method in value["methods"]:
        kind = vocabularies.label("assessment_types", method["type"], lang)
        separator = "：" if lang == "ja" else ": "
        parts.append(f"{kind}{separator}{supervision_label(method, lang, vocabularies)}")
    return join_clauses(parts, lang)


def render_type_of_assessment(value, lang, vocabularies):
    methods = (
        _method_text(method, lang, vocabularies, with_supervision=True)
        for method in value["methods"]
    )
    return join_clauses([*methods, localised(value.get("note"), lang)], lang)


def check_internal_qa(internal, path):
    problems = check_fields(internal, path, required=("standard",), optional=("uri",))
    if problems is None:
        return [Problem(path, MUST_BE_OBJECT)]
    if "standard" in internal:
        problems += check_localised_text(internal["standard"], f"{path}.standard")
    if "uri" in internal:
        problems += check_http_uri(internal["uri"], f"{path}.uri")
    return problems


def check_external_qa(entry, path, vocabularies):
    problems = check_fields(entry, path, required=("type", "body"), optional=("uri",))
    if problems is None:
        return [Problem(path, MUST_BE_OBJECT)]
    external = [
        term.code
        for term in vocabularies.terms("quality_assurance_types")
        if term.data.get("scope") == "external"
    ]
    if "type" in entry and entry["type"] not in external:
        problems.append(
            Problem(
                f"{path}.type",
                NOT_EXTERNAL_QA,
                {"code": entry["type"], "allowed": ", ".join(external)},
            )
        )
    if "body" in entry:
        problems += check_localised_text(entry["body"], f"{path}.body")
    if "uri" in entry:
        problems += check_http_uri(entry["uri"], f"{path}.uri")
    return problems


def check_quality_assurance(value, path, vocabularies):
    problems = check_fields(value, path, required=("internal",), optional=("external",))
    if problems is None:
        return [Problem(path, MUST_BE_OBJECT)]
    if "internal" in value:
        problems += check_internal_qa(value["internal"], f"{path}.internal")
    if "external" in value:
        if not isinstance(value["external"], list):
            problems.append(Problem(f"{path}.external", MUST_BE_LIST))
        else:
            for index, entry in enumerate(value["external"]):
                problems += check_external_qa(entry, f"{path}.external[{index}]", vocabularies)
    return problems


def _with_uri(text: str, uri, lang: str) -> str:
    if not uri:
        return text
    return f"{text}（{uri}）" if lang == "ja" else f"{text} ({uri})"


def render_internal_qa(value, lang, vocabularies):
    internal = value.get("internal") or {}
    standard = localised(internal.get("standard"), lang)
    if not standard:
        return ""
    label = vocabularies.label("quality_assurance_types", "internal", lang)
    separator = "：" if lang == "ja" else ": "
    return _with_uri(f"{label}{separator}{standard}", internal.get("uri"), lang)


def render_external_qa(value, lang, vocabularies):
    parts = []
    for entry in value.get("external") or []:
        kind = vocabularies.label("quality_assurance_types", entry["type"], lang)
        separator = "：" if lang == "ja" else ": "
        body = localised(entry.get("body"), lang)
        parts.append(_with_uri(f"{kind}{separator}{body}", entry.get("uri"), lang))
    return join_clauses(parts, lang)


def render_quality_assurance(value, lang, vocabularies):
    return join_clauses(
        [
            render_internal_qa(value, lang, vocabularies),
            render_external_qa(value, lang, vocabularies),
        ],
        lang,
    )


TYPE_OF_ASSESSMENT = ValueType(
    name="type_of_assessment",
    check=check_type_of_assessment,
    render=render_type_of_assessment,
    facets={"methods": render_methods, "supervision": render_supervision},
)
QUALITY_ASSURANCE = ValueType(
    name="quality_assurance",
    check=check_quality_assurance,
    render=render_quality_assurance,
    facets={"internal": render_internal_qa, "external": render_external_qa},
)
