"""The unsigned OpenBadgeCredential of an award (badges.ob3) and the portal's extension
context and schema (badges.extension)."""

import hashlib

import jsonschema
import pytest

from badges import extension, jsonld, ob3, services
from badges.models import BadgeRecord
from frameworks.selectors import descriptors_for, get_default_framework
from tests.badges.ob3_world import issue, non_mc_descriptors, passed_assessment
from tests.credentials.factories import ProgrammeVersionFactory
from tests.issuers.factories import ExternalQualityAssuranceFactory, IssuerFactory

pytestmark = pytest.mark.django_db


def issuer_with_qa():
    issuer = IssuerFactory(
        qa_standard_name_ja="内部質保証方針",
        qa_standard_name_en="Internal QA policy",
        qa_standard_uri="https://qa.example.ac.jp/policy",
    )
    ExternalQualityAssuranceFactory(issuer=issuer)
    return issuer


def composed(**kwargs) -> tuple[dict, BadgeRecord]:
    award = issue(passed_assessment(**kwargs))
    record = services.issue_badges_for_award(award.pk)
    return ob3.credential_for(record), record


class TestCredential:
    def test_shape_contexts_ids_and_status_entry(self):
        credential, record = composed()
        award = record.award
        assert credential["@context"] == [ob3.VC_V2, ob3.OB_V3P0, extension.context_url()]
        assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
        assert credential["id"].endswith(f"/ob3/credentials/{award.public_id}")
        assert credential["issuer"]["id"] == ob3.did_for(award.programme_version.programme.issuer)
        assert credential["validFrom"] == ob3.iso(award.issued_at)
        assert credential["validFrom"].endswith("Z")
        revocation, suspension = credential["credentialStatus"]
        for status in (revocation, suspension):
            assert status["type"] == "BitstringStatusListEntry"
            assert status["statusListIndex"] == str(record.status_index)
        assert revocation["statusPurpose"] == "revocation"
        assert revocation["statusListCredential"].endswith(
            f"/status/{record.status_list.public_id}"
        )
        assert suspension["statusPurpose"] == "suspension"
        assert suspension["statusListCredential"].endswith(
            f"/status/{record.suspension_list.public_id}"
        )

    def test_issuer_profile_is_bilingual_with_country_and_qa(self):
        credential, record = composed(issuer=issuer_with_qa())
        issuer = record.award.programme_version.programme.issuer
        profile = credential["issuer"]
        assert profile["type"] == ["Profile"]
        assert profile["name"] == issuer.name_ja
        assert profile["localizedName"] == {"ja": issuer.name_ja, "en": issuer.name_en}
        assert profile["url"] == issuer.url and profile["email"] == issuer.email
        assert profile["address"]["addressCountry"] == "JP"
        qa = profile["qualityAssurance"]
        assert qa["internal"]["uri"] == "https://qa.example.ac.jp/policy"
        assert qa["external"][0]["type"] == "accreditation"

    def test_a_micro_credential_programme_is_a_micro_credential_achievement(self):
        credential, _record = composed()
        achievement = credential["credentialSubject"]["achievement"]
        assert achievement["achievementType"] == "MicroCredential"
        assert achievement["isMicroCredential"] is True
        assert achievement["creditsAvailable"] == 2.0  # Japanese university credits
        assert achievement["inLanguage"] == "ja"
        assert achievement["image"]["type"] == "Image"
        jeqf = [a for a in achievement["alignment"] if a["targetType"] == "ext:JEQFLevel"]
        assert [a["targetCode"] for a in jeqf] == ["6"]
        assert "JEQF" in jeqf[0]["targetFramework"]
        credit_codes = {
            a["targetCode"]
            for a in achievement["alignment"]
            if a["targetType"] == "ext:CreditSystem"
        }
        assert credit_codes == {"jp_university", "ects"}

    def test_a_participation_programme_is_only_a_badge(self):
        version = ProgrammeVersionFactory(descriptors=non_mc_descriptors())
        achievement = ob3.achievement_for(version)
        assert achievement["achievementType"] == "Badge"
        assert achievement["isMicroCredential"] is False

    def test_criteria_narrative_in_both_languages(self):
        credential, _record = composed()
        criteria = credential["credentialSubject"]["achievement"]["criteria"]
        assert "記述統計" in criteria["localizedNarrative"]["ja"]
        assert "descriptive and inferential" in criteria["localizedNarrative"]["en"]
        assert criteria["localizedNarrative"]["ja"] in criteria["narrative"]
        assert criteria["localizedNarrative"]["en"] in criteria["narrative"]

    def test_all_framework_descriptors_are_in_the_extension(self):
        credential, record = composed()
        descriptors = credential["credentialSubject"]["achievement"]["microCredentialDescriptors"]
        framework_keys = {d.key for d in descriptors_for(get_default_framework())}
        assert len(framework_keys) == 17
        assert set(descriptors) == framework_keys
        assert descriptors["date_of_issuing"] == ob3.iso(record.award.issued_at)
        assert descriptors["awarding_body"]["id"] == credential["issuer"]["id"]
        assert descriptors["learner_identification"] == {
            "identityType": "emailAddress",
            "hashed": True,
        }
        assert descriptors["level"] == record.award.programme_version.descriptors["level"]

    def test_valid_until_only_when_the_award_expires(self):
        credential, _record = composed()
        assert "validUntil" not in credential
        expiring, record = composed(validity_months=24)
        assert expiring["validUntil"] == ob3.iso(record.award.expires_at)
        assert expiring["validUntil"] > expiring["validFrom"]

    def test_hashed_identity_verifies_against_the_learners_email(self):
        credential, _record = composed(email="taro.yamada@example.ac.jp")
        (identity,) = credential["credentialSubject"]["identifier"]
        assert identity["type"] == "IdentityObject"
        assert identity["identityType"] == "emailAddress" and identity["hashed"] is True
        digest = hashlib.sha256(f"taro.yamada@example.ac.jp{identity['salt']}".encode()).hexdigest()
        assert identity["identityHash"] == f"sha256${digest}"
        assert "taro.yamada" not in str(credential)
        # Another award of the same learner gets another salt: hashes cannot be linked.
        other, _ = composed(email="hanako@example.ac.jp")
        assert other["credentialSubject"]["identifier"][0]["salt"] != identity["salt"]

    def test_composing_again_gives_the_same_document(self):
        credential, record = composed()
        assert ob3.credential_for(record) == credential

    def test_results_from_the_assessment(self):
        credential, _record = composed(score=87.5, grade="A+")
        achievement = credential["credentialSubject"]["achievement"]
        types = {d["id"]: d["resultType"] for d in achievement["resultDescription"]}
        results = {
            types[r["resultDescription"]]: r["value"]
            for r in credential["credentialSubject"]["result"]
        }
        assert results == {"LetterGrade": "A+", "RawScore": "87.5"}

    def test_stacks_are_related_achievements(self):
        from credentials.models import StackRequirement

        credential_version = ProgrammeVersionFactory()
        target = ProgrammeVersionFactory(programme__issuer=credential_version.programme.issuer)
        stack = StackRequirement.objects.create(target=target.programme)
        stack.required.add(credential_version.programme)
        related = ob3.achievement_for(credential_version)["related"]
        assert related == [{"id": ob3.achievement_url(target), "type": ["Related"], "version": "1"}]
        assert ob3.achievement_for(target)["related"][0]["id"] == ob3.achievement_url(
            credential_version
        )

    def test_every_term_is_defined_in_safe_mode(self):
        credential, _record = composed(issuer=issuer_with_qa())
        expanded = jsonld.expand(credential, document_loader=extension.document_loader())
        text = str(expanded)
        namespace = extension.namespace()
        for term in extension.TERMS:
            assert namespace + term in text
        # The achievement's creator repeats the issuer node without the JSON-literal QA:
        # jsonld.js would emit that literal twice and Digital Bazaar would reject the proof.
        creator = credential["credentialSubject"]["achievement"]["creator"]
        assert creator["id"] == credential["issuer"]["id"]
        assert "qualityAssurance" in credential["issuer"] and "qualityAssurance" not in creator
        # Without the portal context the same document is refused, as a strict verifier would.
        with pytest.raises(jsonld.SafeModeError):
            jsonld.expand({**credential, "@context": credential["@context"][:2]})


class TestExtension:
    def test_context_is_protected_without_vocab_under_the_portal_namespace(self):
        context = extension.mc_context()["@context"]
        assert context["@protected"] is True and "@vocab" not in context
        terms = {k: v for k, v in context.items() if not k.startswith("@")}
        assert set(terms) == set(extension.TERMS)
        assert all(v["@id"].startswith(extension.namespace()) for v in terms.values())
        assert extension.context_url().startswith(ob3.settings.PORTAL_BASE_URL)

    def test_extension_values_of_a_credential_satisfy_the_schema(self):
        credential, _record = composed(issuer=issuer_with_qa())
        schema = extension.mc_schema()
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema)
        achievement = credential["credentialSubject"]["achievement"]
        for node in (credential["issuer"], achievement, achievement["criteria"]):
            extension_part = {k: v for k, v in node.items() if k in extension.TERMS}
            assert extension_part
            validator.validate(extension_part)
        bad = {"microCredentialDescriptors": {"title": "no languages"}}
        assert list(validator.iter_errors(bad))
