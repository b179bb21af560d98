"""Demo issuers, staff and keys for local use. Idempotent: a second run changes nothing.

Every demo account has the printed password DEMO_PASSWORD; never load this in production.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from . import services
from .models import ExternalQualityAssurance, Issuer, Role
from .selectors import user_role

DEMO_PASSWORD = "mc-portal-demo"  # noqa: S105 - a published demo password, by design
DEMO_ADMIN = "admin"

ISSUERS = [
    {
        "profile": {
            "slug": "toto-univ",
            "kind": Issuer.Kind.UNIVERSITY,
            "name_ja": "東都大学",
            "name_en": "Toto University",
            "url": "https://www.toto-u.example.ac.jp/",
            "email": "mc-office@toto-u.example.ac.jp",
            "country": "JP",
            "description_ja": (
                "東都大学は、社会人の学び直しのためにマイクロクレデンシャルを発行しています。"
            ),
            "description_en": "Toto University issues micro-credentials for adult learners.",
            "qa_standard_name_ja": "東都大学マイクロクレデンシャル質保証規程",
            "qa_standard_name_en": "Toto University Micro-credential Quality Assurance Regulations",
            "qa_standard_uri": "https://www.toto-u.example.ac.jp/mc/quality-assurance",
        },
        "external_qa": [
            {
                "kind": ExternalQualityAssurance.Kind.ACCREDITATION,
                "body_name_ja": "独立行政法人大学改革支援・学位授与機構",
                "body_name_en": (
                    "National Institution for Academic Degrees and Quality Enhancement "
                    "of Higher Education (NIAD-QE)"
                ),
                "scheme_ja": "大学機関別認証評価",
                "scheme_en": "Institutional Certified Evaluation and Accreditation",
                "uri": "https://www.niad.ac.jp/",
                "valid_from": datetime.date(2023, 4, 1),
                "valid_until": datetime.date(2030, 3, 31),
            }
        ],
        "staff": [
            ("toto-owner", Role.OWNER, "山田", "花子"),
            ("toto-designer", Role.DESIGNER, "佐藤", "健"),
            ("toto-assessor", Role.ASSESSOR, "鈴木", "美咲"),
            ("toto-issuer", Role.ISSUER, "高橋", "誠"),
            ("toto-viewer", Role.VIEWER, "田中", "陽子"),
        ],
    },
    {
        "profile": {
            "slug": "jdss",
            "kind": Issuer.Kind.ACADEMIC_SOCIETY,
            "name_ja": "日本データサイエンス学会",
            "name_en": "Japan Data Science Society",
            "url": "https://www.jdss.example.org/",
            "email": "office@jdss.example.org",
            "country": "JP",
            "description_ja": "データサイエンスの研究と教育を推進する学会です。",
            "description_en": "An academic society advancing data-science research and education.",
            "qa_standard_name_ja": "日本データサイエンス学会 認定講座審査基準",
            "qa_standard_name_en": "JDSS Accredited Course Review Criteria",
            "qa_standard_uri": "https://www.jdss.example.org/certification/criteria",
        },
        "external_qa": [],
        "staff": [
            ("jdss-owner", Role.OWNER, "伊藤", "大輔"),
            ("jdss-designer", Role.DESIGNER, "渡辺", "結衣"),
        ],
    },
]


@dataclass
class DemoIssuers:
    issuers: dict[str, Issuer] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)  # username → user, admin included
    password: str = DEMO_PASSWORD


@transaction.atomic
def load_demo_issuers() -> DemoIssuers:
    """Create what is missing of the demo data, through the services (so it is audited)."""
    result = DemoIssuers()
    admin = _demo_user(DEMO_ADMIN, "admin@example.org", superuser=True)
    result.users[DEMO_ADMIN] = admin
    for spec in ISSUERS:
        profile = spec["profile"]
        issuer = Issuer.objects.filter(slug=profile["slug"]).first()
        if issuer is None:
            issuer = services.create_issuer(actor=admin, **profile)
        for qa in spec["external_qa"]:
            if not issuer.external_qa.filter(kind=qa["kind"], body_name_ja=qa["body_name_ja"]):
                services.add_external_qa(actor=admin, issuer=issuer, **qa)
        domain = profile["email"].split("@", 1)[1]
        for username, role, last_name, first_name in spec["staff"]:
            user = _demo_user(
                username, f"{username}@{domain}", last_name=last_name, first_name=first_name
            )
            if user_role(user, issuer) != role:
                services.set_membership(actor=admin, issuer=issuer, user=user, role=role)
            result.users[username] = user
        services.ensure_signing_keys(issuer, actor=admin)
        result.issuers[issuer.slug] = issuer
    return result


def _demo_user(username: str, email: str, *, superuser: bool = False, **names):
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model(
            username=username, email=email, is_staff=True, is_superuser=superuser, **names
        )
        user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
    return user
