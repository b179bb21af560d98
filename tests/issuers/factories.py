"""factory_boy factories for issuers; other apps' tests import these."""

import factory
from django.contrib.auth import get_user_model

from issuers.models import ExternalQualityAssurance, Issuer, Membership, Role

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.ac.jp")
    is_staff = True
    password = factory.django.Password(TEST_PASSWORD)


class IssuerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issuer
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"issuer-{n}")
    kind = Issuer.Kind.UNIVERSITY
    name_ja = factory.Sequence(lambda n: f"テスト大学{n}")
    name_en = factory.Sequence(lambda n: f"Test University {n}")
    url = factory.LazyAttribute(lambda i: f"https://{i.slug}.example.ac.jp/")
    email = factory.LazyAttribute(lambda i: f"mc@{i.slug}.example.ac.jp")
    country = "JP"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    issuer = factory.SubFactory(IssuerFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.VIEWER


class ExternalQualityAssuranceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExternalQualityAssurance

    issuer = factory.SubFactory(IssuerFactory)
    kind = ExternalQualityAssurance.Kind.ACCREDITATION
    body_name_ja = "大学改革支援・学位授与機構"
    body_name_en = "NIAD-QE"
    scheme_ja = "大学機関別認証評価"
    uri = "https://www.niad.ac.jp/"
