"""Reusable descriptor values for tests in every app.

    from tests.frameworks.fixtures import fully_described_descriptors

`fully_described_descriptors()` returns a fresh, complete and valid descriptors object
(docs/descriptors.md) for a Japanese data-science programme: all 14 programme-level
descriptors of the Japanese framework, consistent with its rules (90 hours = 2 university
credits = 3 ECTS, a supervised exam, an internal QA standard with a URI, 履修証明 ≥ 60 hours).
Change a copy in a test; the function never returns the same object twice.
"""

import copy

PROGRAMME_LEVEL_KEYS = (
    "title",
    "content",
    "learning_outcomes",
    "form_of_participation",
    "language",
    "learner_effort",
    "type_of_assessment",
    "quality_assurance",
    "level",
    "certification",
    "credit_recognition",
    "country_region",
    "prerequisites",
    "stackability",
)

_DATA_SCIENCE_PROGRAMME = {
    "title": {
        "ja": "データサイエンス基礎プログラム",
        "en": "Foundations of Data Science",
    },
    "content": {
        "ja": "統計学とプログラミングの基礎から、実データを用いた分析と可視化までを学ぶ。",
        "en": "From the basics of statistics and programming to analysing and visualising "
        "real data.",
    },
    "learning_outcomes": [
        {
            "ja": "記述統計と推測統計の基本的な手法を説明し、適用できる。",
            "en": "Explain and apply basic methods of descriptive and inferential statistics.",
        },
        {
            "ja": "Python を用いてデータの前処理と可視化ができる。",
            "en": "Clean and visualise data with Python.",
        },
        {
            "ja": "分析結果を根拠とともに報告書にまとめることができる。",
            "en": "Report the results of an analysis with the evidence behind them.",
        },
    ],
    "form_of_participation": {
        "modes": ["blended"],
        "synchronicity": ["synchronous", "asynchronous"],
        "note": {
            "ja": "オンデマンド講義と対面演習を組み合わせる。",
            "en": "On-demand lectures combined with face-to-face practice sessions.",
        },
    },
    "language": ["ja", "en"],
    "learner_effort": {
        "total_hours": 90,
        "contact_hours": 30,
        "note": {
            "ja": "授業外学習と評価に要する時間を含む。",
            "en": "Includes self-study and time spent on assessment.",
        },
    },
    "type_of_assessment": {
        "methods": [
            {
                "type": "written_exam",
                "supervised": True,
                "identity_verified": True,
                "description": {"ja": "期末試験（対面）", "en": "Final exam, on site"},
            },
            {
                "type": "report",
                "supervised": False,
                "identity_verified": False,
                "description": {"ja": "データ分析レポート", "en": "Data-analysis report"},
            },
        ],
    },
    "quality_assurance": {
        "internal": {
            "standard": {
                "ja": "みなと大学 内部質保証に関する方針",
                "en": "Minato University internal quality assurance policy",
            },
            "uri": "https://www.minato-u.example.ac.jp/about/quality-assurance",
        },
        "external": [
            {
                "type": "accreditation",
                "body": {
                    "ja": "大学改革支援・学位授与機構",
                    "en": "National Institution for Academic Degrees and Quality Enhancement "
                    "of Higher Education (NIAD-QE)",
                },
                "uri": "https://www.niad.ac.jp/",
            }
        ],
    },
    "level": {
        "jeqf": 6,
        "description": {"ja": "学士課程レベル", "en": "Undergraduate level"},
    },
    "certification": {
        "types": ["digital_badge", "rirekishomei_certificate"],
    },
    "credit_recognition": {
        "credits": [
            {"system": "jp_university", "value": 2},
            {"system": "ects", "value": 3},
        ],
        "recognition": {
            "ja": "本学の副専攻「データサイエンス」の単位として認定する。",
            "en": "Recognised as credits of the university's data-science minor.",
        },
    },
    "country_region": "JP",
    "prerequisites": {
        "ja": "高等学校程度の数学（数学I・A）",
        "en": "Upper-secondary mathematics",
    },
    "stackability": {
        "pattern": "embedded",
        "description": {
            "ja": "副専攻「データサイエンス」（12単位）の一部となる。",
            "en": "Part of the 12-credit data-science minor.",
        },
    },
}


def fully_described_descriptors() -> dict:
    """A complete, valid descriptors object for a Japanese data-science programme."""
    return copy.deepcopy(_DATA_SCIENCE_PROGRAMME)


def ensure_frameworks_loaded() -> None:
    """Load the framework data files unless they are in the database already.

    The data migration loads them, but a transactional test (e.g. a browser test) empties
    every table when it ends; tests that need the frameworks call this (or use the
    `frameworks_loaded` fixture of tests/frameworks/conftest.py) first.
    """
    from frameworks.models import Framework
    from frameworks.services import sync_frameworks_from_data

    if not Framework.objects.filter(is_default=True).exists():
        sync_frameworks_from_data()
