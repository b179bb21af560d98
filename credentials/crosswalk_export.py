"""A crosswalk export (selectors_crosswalk.crosswalk_export) as a CSV file that Excel opens in
Japanese: UTF-8 with a BOM, CRLF line ends, formula-safe cells, headers in the reader's language.
One row per element of the target framework, then the learning hours and one row per credit
system. The staff download and the API both answer with crosswalk_csv_response()."""

import csv
import io

from django.http import HttpResponse
from django.utils.translation import override, pgettext_lazy

from common.csv_export import safe_cell
from frameworks.credit_conversion import CONVERTED, NOT_CONVERTIBLE, STATED
from frameworks.crosswalk import AT_ISSUING, INVALID, MISSING, PRESENT
from frameworks.i18n import pick
from frameworks.level_reference import INDICATIVE, NO_INDICATION

from .selectors_crosswalk import CrosswalkExport

HEADERS = (
    pgettext_lazy("crosswalk export", "Section"),
    pgettext_lazy("crosswalk export", "Key"),
    pgettext_lazy("crosswalk export", "Element (Japanese)"),
    pgettext_lazy("crosswalk export", "Element (English)"),
    pgettext_lazy("crosswalk export", "Required"),
    pgettext_lazy("crosswalk export", "Status"),
    pgettext_lazy("crosswalk export", "Value (Japanese)"),
    pgettext_lazy("crosswalk export", "Value (English)"),
    pgettext_lazy("crosswalk export", "Japanese descriptors drawn on"),
    pgettext_lazy("crosswalk export", "Basis of the conversion"),
)
ELEMENT_SECTION = pgettext_lazy("crosswalk export", "Element")
CONVERSION_SECTION = pgettext_lazy("crosswalk export", "Credit conversion")
YES, NO = pgettext_lazy("crosswalk export", "Yes"), pgettext_lazy("crosswalk export", "No")
STATUS_LABELS = {
    PRESENT: pgettext_lazy("crosswalk export", "Present"),
    MISSING: pgettext_lazy("crosswalk export", "Missing"),
    INVALID: pgettext_lazy("crosswalk export", "Invalid"),
    AT_ISSUING: pgettext_lazy("crosswalk export", "Filled in at issuing"),
    STATED: pgettext_lazy("crosswalk export", "Stated"),
    CONVERTED: pgettext_lazy("crosswalk export", "Converted"),
    NOT_CONVERTIBLE: pgettext_lazy("crosswalk export", "Cannot be converted"),
    INDICATIVE: pgettext_lazy("crosswalk export", "Indicative"),
    NO_INDICATION: pgettext_lazy("crosswalk export", "Not indicated"),
}
LEVEL_SECTION = pgettext_lazy("crosswalk export", "Level reference")
LEVEL_KEY = "eqf_level"
LEVEL_NAME_JA, LEVEL_NAME_EN = (
    "EQF レベル・QF-EHEA サイクル（参考）",
    "EQF level and QF-EHEA cycle (indicative)",
)
HOURS_KEY = "learning_hours"
HOURS_NAME_JA, HOURS_NAME_EN = "総学習時間", "Total learning hours"


def crosswalk_rows(export: CrosswalkExport, lang: str) -> list[list[str]]:
    """The header row and the data rows, in `lang` ("ja" or "en")."""
    with override(lang):
        rows = [[str(header) for header in HEADERS]]
        for element in export.crosswalk.elements:
            rows.append(
                [
                    str(ELEMENT_SECTION),
                    element.key,
                    element.name_ja,
                    element.name_en,
                    str(YES if element.required else NO),
                    str(STATUS_LABELS.get(element.status, element.status)),
                    element.value_ja,
                    element.value_en,
                    "; ".join(export.drawn_on_labels(element, lang)),
                    "",
                ]
            )
        rows += _level_rows(export, lang) + _conversion_rows(export, lang)
    return [[safe_cell(cell) for cell in row] for row in rows]


def _level_rows(export: CrosswalkExport, lang: str) -> list[list[str]]:
    level = export.level
    if level is None:
        return []
    drawn_on = export.descriptor_labels.get("level", ("level", "level"))
    return [
        [str(LEVEL_SECTION), LEVEL_KEY, LEVEL_NAME_JA, LEVEL_NAME_EN, "",
         str(STATUS_LABELS[level.status]), level.value_ja, level.value_en,
         drawn_on[0] if lang == "ja" else drawn_on[1], level.basis(lang)]
    ]  # fmt: skip


def _conversion_rows(export: CrosswalkExport, lang: str) -> list[list[str]]:
    conversion, section = export.conversion, str(CONVERSION_SECTION)
    rows = []
    if conversion.hours is not None:
        hours = conversion.hours.hours.text("ja"), conversion.hours.hours.text("en")
        status = STATED if conversion.hours.source == "learner_effort" else CONVERTED
        rows.append(
            [section, HOURS_KEY, HOURS_NAME_JA, HOURS_NAME_EN, "", str(STATUS_LABELS[status]),
             f"{hours[0]}時間", f"{hours[1]} h", "",
             pick(conversion.hours.basis_ja, conversion.hours.basis_en, lang)]
        )  # fmt: skip
    for equivalent in conversion.equivalents:
        rows.append(
            [section, equivalent.system, equivalent.label_ja, equivalent.label_en, "",
             str(STATUS_LABELS[equivalent.status]), equivalent.amount_ja, equivalent.amount_en,
             "", pick(equivalent.basis_ja, equivalent.basis_en, lang)]
        )  # fmt: skip
    return rows


def crosswalk_csv(export: CrosswalkExport, lang: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(crosswalk_rows(export, lang))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def crosswalk_csv_response(export: CrosswalkExport, lang: str) -> HttpResponse:
    response = HttpResponse(crosswalk_csv(export, lang), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename()}"'
    return response
