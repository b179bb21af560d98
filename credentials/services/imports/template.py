"""The results template a staff member downloads for one programme version: the headers in
their language, one example row that uses labels (not codes), UTF-8 with a BOM for Excel."""

import csv
import io

from django.utils import timezone

from credentials.models import ProgrammeVersion

from ..assessments import declared_method_terms, default_method
from .reading import HEADERS, header_in
from .rows import RESULT_TERMS

EXAMPLE = {
    "student_number": ("S0001", "S0001"),
    "name_ja": ("山田 太郎", "山田 太郎"),
    "name_en": ("Taro Yamada", "Taro Yamada"),
    "email": ("taro.yamada@example.ac.jp", "taro.yamada@example.ac.jp"),
    "score": ("85", "85"),
    "grade": ("A", "A"),
}


def allowed_values(version: ProgrammeVersion, lang: str) -> dict[str, list[str]]:
    """The labels each coded column takes, in `lang` (the page lists them by the template)."""
    return {
        "result": [term.label(lang) for term in RESULT_TERMS],
        "method": [term.label(lang) for term in declared_method_terms(version)],
    }


def template_csv(version: ProgrammeVersion, lang: str) -> bytes:
    methods = {term.code: term for term in declared_method_terms(version)}
    method = methods.get(default_method(version))
    english = lang == "en"
    example = {key: values[english] for key, values in EXAMPLE.items()}
    example["result"] = RESULT_TERMS[0].label(lang)
    example["assessed_on"] = timezone.localdate().strftime("%Y/%m/%d")
    example["method"] = method.label(lang) if method else ""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header_in(key, lang) for key in HEADERS])
    writer.writerow([example.get(key, "") for key in HEADERS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
