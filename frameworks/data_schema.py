"""Checking a framework data file before anything is written, and normalising it into rows.

Data files are written by people; a mistake should stop the load with every problem listed,
naming where it is, rather than half-load a framework. Messages are for whoever edits the file
(developers and operators), so they are not translated.
"""

import datetime
import re
from dataclasses import dataclass, field

from .rules import RULE_PARAMETERS
from .value_types import CANONICAL_KEYS, VALUE_TYPES, is_number

DATA_FORMAT = 1
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
SOURCES = ("programme", "issuer", "award")
COMPARISON_FLAGS = ("required", "optional", "present")
# The vocabularies the value types look codes up in; a framework owning vocabularies needs all.
REQUIRED_VOCABULARIES = (
    "participation_modes",
    "synchronicity",
    "assessment_types",
    "supervision_levels",
    "quality_assurance_types",
    "credit_systems",
    "certification_types",
    "stacking_patterns",
    "jeqf_levels",
)


class FrameworkDataError(ValueError):
    def __init__(self, source: str, problems: list[str]):
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


@dataclass
class FrameworkData:
    """A checked data file, as the field values of the rows it becomes."""

    slug: str
    version: str
    fields: dict
    vocabularies_from: tuple[str, str] | None
    groups: list[dict] = field(default_factory=list)
    descriptors: list[dict] = field(default_factory=list)
    vocabularies: list[dict] = field(default_factory=list)


def _localised(data: dict, name: str, where: str, problems: list, *, required=True) -> dict:
    value = data.get(name)
    if value is None and not required:
        return {"ja": "", "en": ""}
    if not isinstance(value, dict) or not all(
        isinstance(value.get(lang), str) for lang in ("ja", "en")
    ):
        problems.append(f'{where}.{name} must be {{"ja": text, "en": text}}')
        return {"ja": "", "en": ""}
    if required and not (value["ja"].strip() and value["en"].strip()):
        problems.append(f"{where}.{name} needs both ja and en text")
    return value


def _check_rules(rules, problems: list) -> dict:
    if not isinstance(rules, dict):
        problems.append("rules must be an object")
        return {}
    for name, value in rules.items():
        expected = RULE_PARAMETERS.get(name)
        if expected is None:
            problems.append(f"rules.{name} is not a known rule ({', '.join(RULE_PARAMETERS)})")
        elif expected is bool and not isinstance(value, bool):
            problems.append(f"rules.{name} must be true or false")
        elif expected is float and not (is_number(value) and value > 0):
            problems.append(f"rules.{name} must be a number greater than 0")
    return rules


def _check_columns(columns, problems: list) -> list[dict]:
    if not isinstance(columns, list):
        problems.append("comparison_columns must be a list")
        return []
    checked = []
    for index, column in enumerate(columns):
        where = f"comparison_columns[{index}]"
        if not isinstance(column, dict) or not SLUG.match(str(column.get("code", ""))):
            problems.append(f"{where} needs a slug code")
            continue
        label = _localised(column, "label", where, problems)
        checked.append({"code": column["code"], "label_ja": label["ja"], "label_en": label["en"]})
    return checked


def _check_groups(groups, problems: list) -> list[dict]:
    if not isinstance(groups, list) or not groups:
        problems.append("groups must be a non-empty list")
        return []
    checked = []
    for index, group in enumerate(groups):
        where = f"groups[{index}]"
        if not isinstance(group, dict) or not SLUG.match(str(group.get("code", ""))):
            problems.append(f"{where} needs a slug code")
            continue
        if group["code"] in {g["code"] for g in checked}:
            problems.append(f"{where}: code {group['code']!r} is used twice")
        label = _localised(group, "label", where, problems)
        checked.append(
            {
                "code": group["code"],
                "order": index + 1,
                "label_ja": label["ja"],
                "label_en": label["en"],
            }
        )
    return checked


def _check_draws_on(descriptor: dict, where: str, problems: list) -> list[dict]:
    draws_on = descriptor.get("draws_on")
    if draws_on is None:
        # An element named after a canonical key reads that key.
        if descriptor.get("key") in CANONICAL_KEYS:
            return [{"key": descriptor["key"]}]
        problems.append(f"{where}: {descriptor.get('key')!r} is not a canonical key; give draws_on")
        return []
    if not isinstance(draws_on, list):
        problems.append(f"{where}.draws_on must be a list")
        return []
    checked = []
    for index, source in enumerate(draws_on):
        at = f"{where}.draws_on[{index}]"
        if not isinstance(source, dict) or set(source) - {"key", "facet"}:
            problems.append(f'{at} must be {{"key": …, "facet": …?}}')
            continue
        key = source.get("key")
        if key not in CANONICAL_KEYS:
            problems.append(f"{at}: {key!r} is not a canonical descriptor key")
            continue
        facet = source.get("facet")
        facets = VALUE_TYPES[CANONICAL_KEYS[key]].facets
        if facet is not None and facet not in facets:
            problems.append(f"{at}: {key} has no facet {facet!r} (has: {', '.join(facets) or '-'})")
            continue
        checked.append({"key": key, "facet": facet} if facet else {"key": key})
    return checked


def _check_descriptor(descriptor, where, groups, columns, problems) -> dict | None:
    if not isinstance(descriptor, dict):
        problems.append(f"{where} must be an object")
        return None
    key, number = descriptor.get("key"), descriptor.get("number")
    if not isinstance(key, str) or not SLUG.match(key):
        problems.append(f"{where}.key must be a slug")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        problems.append(f"{where}.number must be a whole number from 1")
    if descriptor.get("group") not in groups:
        problems.append(f"{where}.group {descriptor.get('group')!r} is not one of the groups")
    if not isinstance(descriptor.get("required"), bool):
        problems.append(f"{where}.required must be true or false")
    if descriptor.get("source") not in SOURCES:
        problems.append(f"{where}.source must be one of {', '.join(SOURCES)}")
    comparison = descriptor.get("comparison", {})
    if not isinstance(comparison, dict):
        problems.append(f"{where}.comparison must be an object")
        comparison = {}
    for column, flag in comparison.items():
        if column not in columns:
            problems.append(f"{where}.comparison: {column!r} is not a comparison column")
        if flag not in COMPARISON_FLAGS:
            problems.append(
                f"{where}.comparison.{column} must be one of {', '.join(COMPARISON_FLAGS)}"
            )
    label = _localised(descriptor, "label", where, problems)
    help_text = _localised(descriptor, "help", where, problems, required=False)
    draws_on = _check_draws_on(descriptor, where, problems)
    if descriptor.get("source") == "programme" and not draws_on:
        problems.append(f"{where}: a programme element must draw on at least one key")
    return {
        "key": key,
        "number": number,
        "group": descriptor.get("group"),
        "label_ja": label["ja"],
        "label_en": label["en"],
        "required": descriptor.get("required"),
        "source": descriptor.get("source"),
        "help_ja": help_text["ja"],
        "help_en": help_text["en"],
        "value_type": CANONICAL_KEYS[draws_on[0]["key"]] if draws_on else "",
        "draws_on": draws_on,
        "comparison": comparison,
    }


def _check_descriptors(descriptors, groups, columns, problems) -> list[dict]:
    if not isinstance(descriptors, list) or not descriptors:
        problems.append("descriptors must be a non-empty list")
        return []
    checked = []
    for index, descriptor in enumerate(descriptors):
        row = _check_descriptor(descriptor, f"descriptors[{index}]", groups, columns, problems)
        if row is None:
            continue
        for name in ("key", "number"):
            if row[name] in {other[name] for other in checked}:
                problems.append(f"descriptors[{index}]: {name} {row[name]!r} is used twice")
        checked.append(row)
    return checked


def _check_terms(terms, where: str, problems: list) -> list[dict]:
    if not isinstance(terms, list) or not terms:
        problems.append(f"{where}.terms must be a non-empty list")
        return []
    checked = []
    for index, term in enumerate(terms):
        at = f"{where}.terms[{index}]"
        if not isinstance(term, dict) or not isinstance(term.get("code"), str) or not term["code"]:
            problems.append(f"{at} needs a code")
            continue
        if term["code"] in {t["code"] for t in checked}:
            problems.append(f"{at}: code {term['code']!r} is used twice")
        if not isinstance(term.get("data", {}), dict):
            problems.append(f"{at}.data must be an object")
        label = _localised(term, "label", at, problems)
        description = _localised(term, "description", at, problems, required=False)
        checked.append(
            {
                "code": term["code"],
                "order": index + 1,
                "label_ja": label["ja"],
                "label_en": label["en"],
                "description_ja": description["ja"],
                "description_en": description["en"],
                "data": term.get("data", {}),
            }
        )
    return checked


def _check_vocabularies(vocabularies, problems: list) -> list[dict]:
    if not isinstance(vocabularies, list):
        problems.append("vocabularies must be a list")
        return []
    checked = []
    for index, vocabulary in enumerate(vocabularies):
        where = f"vocabularies[{index}]"
        if not isinstance(vocabulary, dict) or not SLUG.match(str(vocabulary.get("key", ""))):
            problems.append(f"{where} needs a slug key")
            continue
        if vocabulary["key"] in {v["key"] for v in checked}:
            problems.append(f"{where}: key {vocabulary['key']!r} is used twice")
        label = _localised(vocabulary, "label", where, problems)
        checked.append(
            {
                "key": vocabulary["key"],
                "label_ja": label["ja"],
                "label_en": label["en"],
                "terms": _check_terms(vocabulary.get("terms"), where, problems),
            }
        )
    missing = [key for key in REQUIRED_VOCABULARIES if key not in {v["key"] for v in checked}]
    if missing:
        problems.append(f"vocabularies lacks {', '.join(missing)} (or use vocabularies_from)")
    return checked


def _check_vocabularies_from(reference, problems) -> tuple[str, str] | None:
    if reference is None:
        return None
    if not isinstance(reference, dict) or not all(
        isinstance(reference.get(name), str) for name in ("slug", "version")
    ):
        problems.append('vocabularies_from must be {"slug": …, "version": …}')
        return None
    return reference["slug"], reference["version"]


def _check_date(value, problems) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        problems.append("published_on must be a date written YYYY-MM-DD")
        return None


def check_framework_data(data, source: str = "framework data") -> FrameworkData:
    """The rows a data file describes; FrameworkDataError listing every problem otherwise."""
    if not isinstance(data, dict):
        raise FrameworkDataError(source, ["the file must hold a JSON object"])
    problems: list[str] = []
    if data.get("format") != DATA_FORMAT:
        problems.append(f"format must be {DATA_FORMAT}")
    slug, version = data.get("slug"), data.get("version")
    if not isinstance(slug, str) or not SLUG.match(slug) or len(slug) > 50:
        problems.append("slug must be a slug of at most 50 characters")
    if not isinstance(version, str) or not version or len(version) > 20:
        problems.append("version must be text of 1 to 20 characters")
    name = _localised(data, "name", "framework", problems)
    publisher = _localised(data, "publisher", "framework", problems, required=False)
    reference = _localised(data, "reference", "framework", problems, required=False)
    columns = _check_columns(data.get("comparison_columns", []), problems)
    groups = _check_groups(data.get("groups"), problems)
    vocabularies_from = _check_vocabularies_from(data.get("vocabularies_from"), problems)
    vocabularies = []
    if vocabularies_from is None:
        vocabularies = _check_vocabularies(data.get("vocabularies"), problems)
    elif "vocabularies" in data:
        problems.append("give either vocabularies or vocabularies_from, not both")
    fields = {
        "name_ja": name["ja"],
        "name_en": name["en"],
        "publisher_ja": publisher["ja"],
        "publisher_en": publisher["en"],
        "reference_ja": reference["ja"],
        "reference_en": reference["en"],
        "source_url": data.get("source_url", ""),
        "published_on": _check_date(data.get("published_on"), problems),
        "is_default": data.get("is_default", False) is True,
        "crosswalk_code": data.get("crosswalk_code", ""),
        "rules": _check_rules(data.get("rules", {}), problems),
        "comparison_columns": columns,
    }
    descriptors = _check_descriptors(
        data.get("descriptors"),
        {group["code"] for group in groups},
        {column["code"] for column in columns},
        problems,
    )
    if problems:
        raise FrameworkDataError(source, problems)
    return FrameworkData(
        slug, version, fields, vocabularies_from, groups, descriptors, vocabularies
    )
