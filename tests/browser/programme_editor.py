"""Filling the programme editor in Chromium the way a registrar does: clicking the choices by
their Japanese labels, typing texts and numbers, adding rows with the editor's own buttons.

`fill_programme(page, descriptors)` takes a descriptors object (docs/descriptors.md) only as the
script of what to type: codes are turned into the labels on the page, never typed.
"""

from frameworks.selectors import get_default_framework, vocabulary_index
from frameworks.value_types.places import country_name, language_name

TEXT_KEYS = ("title", "content", "prerequisites")


def block(page, key: str):
    return page.locator(f"#descriptor-{key}")


def _labels():
    vocabularies = vocabulary_index(get_default_framework())
    return lambda vocabulary, code: vocabularies.label(vocabulary, str(code), "ja")


def _type_text(page, base: str, text: dict) -> None:
    for lang in ("ja", "en"):
        if text.get(lang):
            page.locator(f"#id_{base}-{lang}").fill(text[lang])


def _row(page, key: str, rows: str, index: int) -> str:
    """The name prefix of row `index`, adding rows with the page's button as needed."""
    prefix = f"d-{key}-{rows}"
    while page.locator(f"#descriptor-{key} .mc-row-list > .mc-row").count() <= index:
        block(page, key).locator(".mc-add-row").click()
    row = block(page, key).locator(".mc-row-list > .mc-row").nth(index)
    name = row.locator("input, select, textarea").first.get_attribute("name")
    number = name[len(prefix) + 1 :].split("-", 1)[0]
    return f"{prefix}-{number}"


def _check(page, key: str, labels: list[str]) -> None:
    for label in labels:
        block(page, key).get_by_label(label, exact=True).check()


def fill_programme(page, descriptors: dict) -> None:
    label = _labels()
    for key in TEXT_KEYS:
        if key in descriptors:
            _type_text(page, f"d-{key}", descriptors[key])
    for index, outcome in enumerate(descriptors.get("learning_outcomes", [])):
        _type_text(page, _row(page, "learning_outcomes", "items", index), outcome)
    if "country_region" in descriptors:
        name = country_name(descriptors["country_region"], "ja")
        block(page, "country_region").get_by_role("combobox").select_option(label=name)
    if "language" in descriptors:
        _check(page, "language", [language_name(tag, "ja") for tag in descriptors["language"]])

    participation = descriptors.get("form_of_participation")
    if participation:
        _check(
            page,
            "form_of_participation",
            [label("participation_modes", m) for m in participation["modes"]],
        )
        _check(
            page,
            "form_of_participation",
            [label("synchronicity", s) for s in participation["synchronicity"]],
        )
        _type_text(page, "d-form_of_participation-note", participation.get("note", {}))

    effort = descriptors.get("learner_effort")
    if effort:
        effort_block = block(page, "learner_effort")
        effort_block.get_by_label("総学習時間").fill(str(effort["total_hours"]))
        if "contact_hours" in effort:
            effort_block.get_by_label("うち対面・同期の時間").fill(str(effort["contact_hours"]))
        _type_text(page, "d-learner_effort-note", effort.get("note", {}))

    for index, method in enumerate(
        (descriptors.get("type_of_assessment") or {}).get("methods", [])
    ):
        row = _row(page, "type_of_assessment", "methods", index)
        page.locator(f"#id_{row}-type").select_option(
            label=label("assessment_types", method["type"])
        )
        page.locator(f"#id_{row}-supervised").set_checked(method["supervised"])
        page.locator(f"#id_{row}-identity_verified").set_checked(method["identity_verified"])
        _type_text(page, f"{row}-description", method.get("description", {}))

    qa = descriptors.get("quality_assurance")
    if qa:
        _type_text(page, "d-quality_assurance-internal__standard", qa["internal"]["standard"])
        if qa["internal"].get("uri"):
            block(page, "quality_assurance").get_by_label("内部質保証の基準を説明するURL").fill(
                qa["internal"]["uri"]
            )
        for index, entry in enumerate(qa.get("external", [])):
            row = _row(page, "quality_assurance", "external", index)
            kind = label("quality_assurance_types", entry["type"])
            page.locator(f"#id_{row}-type").select_option(label=kind)
            _type_text(page, f"{row}-body", entry["body"])
            if entry.get("uri"):
                page.locator(f"#id_{row}-uri").fill(entry["uri"])

    level = descriptors.get("level")
    if level:
        if "jeqf" in level:
            block(page, "level").get_by_label("JEQFレベル").select_option(
                label=label("jeqf_levels", level["jeqf"])
            )
        _type_text(page, "d-level-description", level.get("description", {}))

    certification = descriptors.get("certification")
    if certification:
        _check(
            page, "certification", [label("certification_types", t) for t in certification["types"]]
        )
        _type_text(page, "d-certification-note", certification.get("note", {}))

    credit = descriptors.get("credit_recognition")
    if credit:
        for index, entry in enumerate(credit.get("credits", [])):
            row = _row(page, "credit_recognition", "credits", index)
            page.locator(f"#id_{row}-system").select_option(
                label=label("credit_systems", entry["system"])
            )
            page.locator(f"#id_{row}-value").fill(str(entry["value"]))
        _type_text(page, "d-credit_recognition-recognition", credit.get("recognition", {}))

    stack = descriptors.get("stackability")
    if stack:
        if "pattern" in stack:
            block(page, "stackability").get_by_label(
                label("stacking_patterns", stack["pattern"]), exact=True
            ).check()
        _type_text(page, "d-stackability-description", stack["description"])
