"""Demo programmes, learners, results and awards. Idempotent: a second run changes nothing.

Called by the lead's load_demo command with the result of issuers.demo.load_demo_issuers();
everything goes through the services as each issuer's owner, so the demo is audited too.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from issuers.agreements import answer_agreement, propose_agreement
from issuers.models import Issuer, IssuerAgreement, Membership, Role
from issuers.selectors import quality_assurance_descriptor

from . import services
from .models import Assessment, Award, IssuingBatch, Learner, Programme
from .services import batches
from .services.recognition import set_recognition_rule

UNIVERSITY = "toto-univ"
SOCIETY = "jdss"


def _lt(ja: str, en: str) -> dict:
    return {"ja": ja, "en": en}


def _common(issuer: Issuer) -> dict:
    return {
        "country_region": "JP",
        "language": ["ja"],
        "quality_assurance": quality_assurance_descriptor(issuer),
        "certification": {"types": ["digital_badge"]},
    }


def _method(kind: str, ja: str, en: str, *, supervised: bool = True) -> dict:
    return {
        "type": kind,
        "supervised": supervised,
        "identity_verified": True,
        "description": _lt(ja, en),
    }


# The university's tiered data-science stack: bronze → silver → gold, and platinum for all three.
DATA_SCIENCE = [
    {
        "slug": "ds-bronze",
        "title": _lt("データサイエンス基礎（ブロンズ）", "Data Science Fundamentals (Bronze)"),
        "content": _lt(
            "統計の基礎、データの読み方と可視化、Python による表データの扱いを学ぶ入門科目群。",
            "An introduction to statistics, reading and visualising data, and handling "
            "tabular data in Python.",
        ),
        "outcomes": [
            (
                "記述統計量を計算し、その意味を説明できる。",
                "Compute descriptive statistics and explain what they mean.",
            ),
            (
                "目的に合ったグラフでデータを可視化できる。",
                "Visualise data with charts suited to the question.",
            ),
            (
                "Python と pandas で表データを読み込み、整形できる。",
                "Load and tidy tabular data with Python and pandas.",
            ),
        ],
        "hours": 45,
        "contact": 22.5,
        "credits": 1,
        "jeqf": 6,
        "methods": [
            _method("written_exam", "監督付き期末試験（60分）", "Supervised final exam (60 min)"),
            _method(
                "report", "データ可視化レポート", "Data visualisation report", supervised=False
            ),
        ],
        "prerequisites": _lt("高等学校卒業程度の数学", "Upper-secondary mathematics"),
    },
    {
        "slug": "ds-silver",
        "title": _lt("データ分析実践（シルバー）", "Practical Data Analysis (Silver)"),
        "content": _lt(
            "回帰分析・仮説検定と、実データを使った分析プロジェクトの進め方を学ぶ。",
            "Regression, hypothesis testing and how to run an analysis project on real data.",
        ),
        "outcomes": [
            (
                "線形回帰モデルを当てはめ、結果を解釈できる。",
                "Fit linear regression models and interpret the results.",
            ),
            (
                "適切な仮説検定を選び、結論を述べられる。",
                "Choose a suitable hypothesis test and state its conclusion.",
            ),
            (
                "分析の過程と結果を再現可能な形で報告できる。",
                "Report an analysis and its results reproducibly.",
            ),
        ],
        "hours": 90,
        "contact": 45,
        "credits": 2,
        "jeqf": 6,
        "methods": [
            _method("written_exam", "監督付き期末試験（90分）", "Supervised final exam (90 min)"),
            _method(
                "project",
                "実データ分析プロジェクト",
                "Real-data analysis project",
                supervised=False,
            ),
        ],
        "prerequisites": _lt(
            "データサイエンス基礎（ブロンズ）修了または同等の知識",
            "Data Science Fundamentals (Bronze) or equivalent knowledge",
        ),
    },
    {
        "slug": "ds-gold",
        "title": _lt("機械学習応用（ゴールド）", "Applied Machine Learning (Gold)"),
        "content": _lt(
            "教師あり・教師なし学習の代表的手法と、モデル評価・運用の基礎を学ぶ。",
            "Key supervised and unsupervised learning methods, model evaluation and the basics "
            "of deployment.",
        ),
        "outcomes": [
            (
                "分類・回帰の機械学習モデルを構築し評価できる。",
                "Build and evaluate classification and regression models.",
            ),
            (
                "交差検証で過学習を検出し、対策を選べる。",
                "Detect overfitting with cross-validation and choose remedies.",
            ),
            (
                "モデルの限界と倫理的な論点を説明できる。",
                "Explain a model's limits and the ethical issues it raises.",
            ),
        ],
        "hours": 90,
        "contact": 45,
        "credits": 2,
        "jeqf": 6,
        "methods": [
            _method("practical", "監督付き実技試験", "Supervised practical exam"),
            _method(
                "project",
                "機械学習プロジェクトと口頭発表",
                "ML project with presentation",
                supervised=False,
            ),
        ],
        "prerequisites": _lt(
            "データ分析実践（シルバー）修了または同等の知識",
            "Practical Data Analysis (Silver) or equivalent knowledge",
        ),
    },
    {
        "slug": "ds-platinum",
        "title": _lt(
            "データサイエンス・プロフェッショナル（プラチナ）",
            "Data Science Professional (Platinum)",
        ),
        "content": _lt(
            "ブロンズ・シルバー・ゴールドの三つを修得した学習者に与える上位のマイクロクレデンシャル。",
            "The higher micro-credential for learners who have earned Bronze, Silver and Gold.",
        ),
        "outcomes": [
            (
                "データの収集から分析、機械学習モデルの評価までを一貫して遂行できる。",
                "Carry out the whole path from collecting data to evaluating machine-learning "
                "models.",
            ),
            (
                "分析結果を根拠として、組織の意思決定に提言できる。",
                "Advise decisions in an organisation on the evidence of an analysis.",
            ),
        ],
        "hours": 225,
        "contact": 112.5,
        "credits": 5,
        "jeqf": 6,
        "prerequisites": _lt(
            "ブロンズ・シルバー・ゴールドの修得", "Bronze, Silver and Gold earned"
        ),
        "methods": [
            _method(
                "recognition_of_prior_learning",
                "ブロンズ・シルバー・ゴールド各科目の評価結果による認定",
                "Recognition on the assessed results of Bronze, Silver and Gold",
            ),
        ],
        "stackability": {
            "pattern": "tiered",
            "description": _lt(
                "ブロンズ・シルバー・ゴールドの積み上げで取得。本学大学院データサイエンス専攻の"
                "入学時に既修得単位として認定できる。",
                "Earned by stacking Bronze, Silver and Gold; recognised as prior credits on "
                "entry to the university's graduate data-science programme.",
            ),
        },
    },
]

TIERS_BELOW_PLATINUM = ("ds-bronze", "ds-silver", "ds-gold")

SOCIETY_PROGRAMME = {
    "slug": "jdss-practitioner-regression",
    "title": _lt(
        "データサイエンス実務者認定：回帰分析", "Certified Data Science Practitioner: Regression"
    ),
    "content": _lt(
        "学会の認定講座。業務データに回帰分析を適用し、結果を説明する力を認定する。",
        "The society's certified course: applying regression to business data and explaining "
        "the results.",
    ),
    "outcomes": [
        ("業務データに回帰分析を適用できる。", "Apply regression analysis to business data."),
        ("回帰分析の結果を非専門家に説明できる。", "Explain regression results to "
         "non-specialists."),
    ],
    "hours": 20, "contact": 12,
    "methods": [
        _method("written_exam", "オンライン監督付き認定試験", "Online proctored exam"),
    ],
    "recognition": _lt("学会認定実務者ポイント 10点", "10 JDSS practitioner points"),
    "level": _lt("実務者（中級）", "Practitioner (intermediate)"),
}  # fmt: skip


def programme_descriptors(spec: dict, issuer: Issuer) -> dict:
    """A complete descriptors object (docs/descriptors.md) for one demo programme."""
    descriptors = {
        **_common(issuer),
        "title": spec["title"],
        "content": spec["content"],
        "learning_outcomes": [_lt(ja, en) for ja, en in spec["outcomes"]],
        "form_of_participation": {
            "modes": ["blended"],
            "synchronicity": ["synchronous", "asynchronous"],
        },
        "learner_effort": {"total_hours": spec["hours"], "contact_hours": spec["contact"]},
        "type_of_assessment": {"methods": spec["methods"]},
    }
    if "credits" in spec:
        descriptors["credit_recognition"] = {
            "credits": [{"system": "jp_university", "value": spec["credits"]}]
        }
    else:
        descriptors["credit_recognition"] = {"recognition": spec["recognition"]}
    if "jeqf" in spec:
        descriptors["level"] = {"jeqf": spec["jeqf"], "description": _lt("学士課程", "Bachelor")}
    elif "level" in spec:
        descriptors["level"] = {"description": spec["level"]}
    for key in ("prerequisites", "stackability"):
        if key in spec:
            descriptors[key] = spec[key]
    if spec["slug"] in TIERS_BELOW_PLATINUM:
        descriptors["stackability"] = {
            "pattern": "tiered",
            "description": _lt(
                "ブロンズ・シルバー・ゴールドの三つでプラチナ（データサイエンス・"
                "プロフェッショナル）になる。",
                "Bronze, Silver and Gold together stack into Data Science Professional (Platinum).",
            ),
        }
    return descriptors


# 30 learners: (family kanji, given kanji, family romaji, given romaji).
LEARNER_NAMES = [
    ("佐藤", "陽翔", "Sato", "Haruto"), ("鈴木", "結菜", "Suzuki", "Yuina"),
    ("高橋", "蓮", "Takahashi", "Ren"), ("田中", "陽葵", "Tanaka", "Himari"),
    ("伊藤", "湊", "Ito", "Minato"), ("渡辺", "凛", "Watanabe", "Rin"),
    ("山本", "大和", "Yamamoto", "Yamato"), ("中村", "芽依", "Nakamura", "Mei"),
    ("小林", "悠真", "Kobayashi", "Yuma"), ("加藤", "紬", "Kato", "Tsumugi"),
    ("吉田", "樹", "Yoshida", "Itsuki"), ("山田", "咲良", "Yamada", "Sakura"),
    ("佐々木", "颯", "Sasaki", "Hayate"), ("山口", "美桜", "Yamaguchi", "Mio"),
    ("松本", "朝陽", "Matsumoto", "Asahi"), ("井上", "葵", "Inoue", "Aoi"),
    ("木村", "律", "Kimura", "Ritsu"), ("林", "心春", "Hayashi", "Koharu"),
    ("斎藤", "蒼", "Saito", "Ao"), ("清水", "結衣", "Shimizu", "Yui"),
    ("山崎", "陸", "Yamazaki", "Riku"), ("森", "杏", "Mori", "An"),
    ("池田", "悠人", "Ikeda", "Yuto"), ("橋本", "莉子", "Hashimoto", "Riko"),
    ("阿部", "海斗", "Abe", "Kaito"), ("石川", "美咲", "Ishikawa", "Misaki"),
    ("山下", "翔太", "Yamashita", "Shota"), ("中島", "彩花", "Nakajima", "Ayaka"),
    ("前田", "拓海", "Maeda", "Takumi"), ("藤田", "七海", "Fujita", "Nanami"),
]  # fmt: skip

# Which learners (by index) sit each tier, and who fails. Everyone sits bronze.
SITTINGS = {
    "ds-bronze": (range(30), {7, 19, 26}),
    "ds-silver": (range(18), {5, 13}),
    "ds-gold": (range(10), {2}),
}
ASSESSED_ON = {
    "ds-bronze": datetime.date(2025, 7, 25),
    "ds-silver": datetime.date(2025, 12, 19),
    "ds-gold": datetime.date(2026, 2, 6),
    SOCIETY_PROGRAMME["slug"]: datetime.date(2025, 11, 8),
}
# Awards under these stay pending, to show the approval step.
LEFT_PENDING = {("ds-gold", 9), ("ds-silver", 17)}
SOCIETY_LEARNERS = (0, 3, 8, 11, 20, 24)  # some also study at the university


@dataclass
class DemoCredentials:
    programmes: dict[str, Programme] = field(default_factory=dict)
    learners: list[Learner] = field(default_factory=list)
    batches: list[IssuingBatch] = field(default_factory=list)


def _owner(issuer: Issuer):
    membership = (
        Membership.objects.filter(issuer=issuer, role=Role.OWNER).select_related("user").first()
    )
    if membership is None:
        raise ValueError(f"The demo issuer {issuer.slug} has no owner to act as.")
    return membership.user


def _programme(actor, issuer: Issuer, spec: dict, **version_fields) -> Programme:
    programme = Programme.objects.filter(issuer=issuer, slug=spec["slug"]).first()
    if programme is None:
        programme = services.create_programme(
            actor=actor,
            issuer=issuer,
            slug=spec["slug"],
            descriptors=programme_descriptors(spec, issuer),
            criteria_ja="所定の評価に合格すること。",
            criteria_en="Pass the programme's assessments.",
            **version_fields,
        )
    if programme.status == Programme.Status.DRAFT:
        services.publish_programme(actor=actor, programme=programme)
        programme.refresh_from_db()
    return programme


def _score(index: int, passed: bool) -> int:
    # Believable, stable scores: passes 62–98, fails 35–58.
    return 62 + (index * 13) % 37 if passed else 35 + (index * 7) % 24


def _grade(score: int) -> str:
    return next(
        grade for floor, grade in ((90, "S"), (80, "A"), (70, "B"), (0, "C")) if score >= floor
    )


def _assess_and_award(
    actor, programme, learner, index, passed, *, pending: bool = False, award: bool = True
):
    version = programme.published_version
    assessed_on = ASSESSED_ON[programme.slug]
    assessment = Assessment.objects.filter(
        learner=learner, programme_version=version, assessed_on=assessed_on
    ).first()
    if assessment is None:
        score = _score(index, passed)
        assessment = services.record_assessment(
            actor=actor,
            learner=learner,
            programme_version=version,
            result=Assessment.Result.PASS if passed else Assessment.Result.FAIL,
            assessed_on=assessed_on,
            score=score,
            grade=_grade(score) if passed else "D",
            evidence_url=f"{programme.issuer.url.rstrip('/')}/evidence/{programme.slug}/"
            f"{index + 1}",
        )
    if not passed or not award:
        return
    if pending:
        services.propose_award(actor=actor, assessment=assessment)
    else:
        services.issue_award(actor=actor, assessment=assessment)


@transaction.atomic
def load_demo_credentials(issuers) -> DemoCredentials:
    """Create what is missing of the demo programmes, learners, results and awards.

    `issuers` is what issuers.demo.load_demo_issuers() returns (or a {slug: Issuer} dict).
    """
    by_slug = getattr(issuers, "issuers", issuers)
    university, society = by_slug[UNIVERSITY], by_slug[SOCIETY]
    result = DemoCredentials()
    uni_actor, society_actor = _owner(university), _owner(society)

    tiers = {}
    for spec in DATA_SCIENCE:
        tiers[spec["slug"]] = _programme(uni_actor, university, spec)
    platinum = tiers["ds-platinum"]
    if not hasattr(platinum, "stack_requirement"):
        services.set_stack_requirement(
            actor=uni_actor,
            target=platinum,
            required=[tiers["ds-bronze"], tiers["ds-silver"], tiers["ds-gold"]],
        )
    result.programmes.update(tiers)

    for index, (family, given, family_en, given_en) in enumerate(LEARNER_NAMES):
        learner = services.register_learner(
            actor=uni_actor,
            issuer=university,
            email=f"{given_en}.{family_en}@example.ac.jp".lower(),
            name_ja=f"{family} {given}",
            name_en=f"{given_en} {family_en}",
            student_number=f"24DS{index + 1:03d}",
        )
        result.learners.append(learner)
    for slug, (indices, failing) in SITTINGS.items():
        for index in indices:
            _assess_and_award(
                uni_actor,
                tiers[slug],
                result.learners[index],
                index,
                index not in failing,
                pending=(slug, index) in LEFT_PENDING,
            )
    # Issuing gold completes the stack for some learners; platinum then waits for approval.
    services.evaluate_stacks(result.learners, actor=uni_actor)
    _demo_recognition(uni_actor, society_actor, university, society, platinum, tiers["ds-bronze"])

    regression = _programme(society_actor, society, SOCIETY_PROGRAMME, validity_months=36)
    result.programmes[regression.slug] = regression
    for number, index in enumerate(SOCIETY_LEARNERS):
        family, given, family_en, given_en = LEARNER_NAMES[index]
        learner = services.register_learner(  # names are per issuer: the society records its own
            actor=society_actor,
            issuer=society,
            email=result.learners[index].email,
            name_ja=f"{family}{given}",  # the society writes them without a space
            name_en=f"{family_en.upper()} {given_en}",
            student_number=f"JDSS-{2025000 + number + 1}",
        )
        _assess_and_award(society_actor, regression, learner, index, index != 20, award=False)
    # The society issues by batch job (the staff UI shows it): every passing learner at once.
    version = regression.published_version
    if not Award.objects.filter(programme_version=version).exists():
        result.batches.append(
            batches.start_batch_for_passing(actor=society_actor, programme_version=version)
        )
    return result


def _demo_recognition(uni_actor, society_actor, university, society, platinum, bronze) -> None:
    """Across institutions (docs/recognition.md): the university and the society have a
    consortium agreement in force, and the platinum stack recognises outside statistics
    badges (JEQF level 6 or above, 30 hours or more) in place of bronze, decided by staff."""
    if not IssuerAgreement.objects.filter(proposer=university, partner=society).exists():
        agreement = propose_agreement(
            actor=uni_actor,
            proposer=university,
            partner=society,
            title="東都大学・日本データサイエンス学会 相互認定協定",
        )
        answer_agreement(actor=society_actor, agreement=agreement, accept=True)
    requirement = platinum.stack_requirement
    if not requirement.recognition_rules.exists():
        set_recognition_rule(
            actor=uni_actor,
            requirement=requirement,
            stands_for=bronze,
            min_level=6,
            min_hours=Decimal("30"),
        )
