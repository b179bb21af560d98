"""Programmes: creating, editing drafts in place, revising published ones into new versions,
publishing only complete micro-credentials, retiring, stacks and badge images."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from credentials import selectors, services
from credentials.badge_design import default_badge_svg, version_badge_image, wrap_title
from credentials.models import Programme, ProgrammeVersion
from frameworks.selectors import get_default_framework
from issuers.images import validate_image_upload
from issuers.models import AuditEvent
from tests.credentials.factories import AwardFactory, ProgrammeFactory, ProgrammeVersionFactory
from tests.frameworks.fixtures import fully_described_descriptors


def png_upload(name="badge.png", image_format="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "navy").save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def draft(designer_a, issuer_a):
    return services.create_programme(
        actor=designer_a,
        issuer=issuer_a,
        slug="ds-basics",
        descriptors=fully_described_descriptors(),
        criteria_ja="期末試験に合格すること。",
    )


def test_creating_a_programme_makes_a_draft_with_version_one_and_audits_it(draft, designer_a):
    version = draft.latest_version
    assert draft.status == Programme.Status.DRAFT
    assert (version.number, version.published_at, version.created_by) == (1, None, designer_a)
    assert version.criteria_ja == "期末試験に合格すること。"
    event = AuditEvent.objects.get(action="programme.create")
    assert (event.actor, event.issuer, event.target_id) == (designer_a, draft.issuer, str(draft.pk))


def test_an_assessor_cannot_create_a_programme(assessor_a, issuer_a):
    with pytest.raises(PermissionDenied):
        services.create_programme(
            actor=assessor_a, issuer=issuer_a, slug="x", descriptors=fully_described_descriptors()
        )
    assert not Programme.objects.exists()


def test_a_programme_needs_a_title_even_as_a_draft(designer_a, issuer_a):
    descriptors = fully_described_descriptors()
    del descriptors["title"]
    with pytest.raises(ValidationError) as caught:
        services.create_programme(
            actor=designer_a, issuer=issuer_a, slug="untitled", descriptors=descriptors
        )
    assert "descriptors" in caught.value.message_dict
    assert not Programme.objects.exists()  # the programme row was rolled back with the version


def test_award_supplied_descriptors_cannot_be_entered_on_a_programme(designer_a, issuer_a):
    descriptors = {**fully_described_descriptors(), "learner_identification": "x"}
    with pytest.raises(ValidationError, match="learner_identification"):
        services.create_programme(
            actor=designer_a, issuer=issuer_a, slug="bad", descriptors=descriptors
        )


def test_editing_a_draft_changes_the_same_version(draft, designer_a):
    version = services.revise_programme(
        actor=designer_a, programme=draft, criteria_en="Pass the final exam."
    )
    assert version.pk == draft.latest_version.pk
    assert version.number == 1
    assert ProgrammeVersion.objects.get(pk=version.pk).criteria_en == "Pass the final exam."
    assert AuditEvent.objects.filter(action="programme.update").count() == 1


def test_update_programme_draft_refuses_a_published_version(draft, designer_a):
    version = services.publish_programme(actor=designer_a, programme=draft)
    with pytest.raises(ValidationError):
        services.update_programme_draft(actor=designer_a, version=version, criteria_ja="変更")
    assert ProgrammeVersion.objects.get(pk=version.pk).criteria_ja == "期末試験に合格すること。"


def test_editing_a_published_programme_opens_a_new_version_and_awards_keep_theirs(
    draft, designer_a
):
    published = services.publish_programme(actor=designer_a, programme=draft)
    award = AwardFactory(
        assessment__programme_version=published, issued=True, assessment__learner__email="a@x.jp"
    )
    descriptors = fully_described_descriptors()
    descriptors["learner_effort"]["total_hours"] = 135
    descriptors["credit_recognition"]["credits"] = [{"system": "jp_university", "value": 3}]

    revised = services.revise_programme(actor=designer_a, programme=draft, descriptors=descriptors)

    assert revised.number == 2 and not revised.is_published
    assert revised.criteria_ja == published.criteria_ja  # copied from the live version
    published.refresh_from_db()
    assert published.descriptors["learner_effort"]["total_hours"] == 90  # frozen
    award.refresh_from_db()
    assert award.programme_version_id == published.pk
    draft.refresh_from_db()
    assert draft.published_version == published  # still live until v2 is published
    assert draft.latest_version == revised
    event = AuditEvent.objects.get(action="programme.revise")
    assert event.details["version"] == 2 and event.details["from_version"] == 1


def test_saving_a_published_programme_unchanged_opens_no_new_version(draft, designer_a):
    published = services.publish_programme(actor=designer_a, programme=draft)
    version = services.revise_programme(
        actor=designer_a, programme=draft, descriptors=fully_described_descriptors()
    )
    assert version == published
    assert draft.versions.count() == 1


def test_publishing_the_revision_makes_it_the_live_version(draft, designer_a):
    services.publish_programme(actor=designer_a, programme=draft)
    services.revise_programme(actor=designer_a, programme=draft, criteria_en="Updated.")
    second = services.publish_programme(actor=designer_a, programme=draft)
    draft.refresh_from_db()
    assert second.number == 2
    assert draft.published_version == second


def test_publishing_records_the_framework_and_audits(draft, designer_a):
    version = services.publish_programme(actor=designer_a, programme=draft)
    draft.refresh_from_db()
    assert draft.status == Programme.Status.PUBLISHED
    assert version.framework == get_default_framework()
    assert version.published_at is not None
    event = AuditEvent.objects.get(action="programme.publish")
    assert event.details == {"version": 1, "completeness": 100}


def test_publishing_is_refused_when_required_descriptors_are_missing(designer_a, issuer_a):
    descriptors = fully_described_descriptors()
    del descriptors["learning_outcomes"], descriptors["quality_assurance"]
    programme = services.create_programme(
        actor=designer_a, issuer=issuer_a, slug="incomplete", descriptors=descriptors
    )
    with translation.override("ja"), pytest.raises(ValidationError) as caught:
        services.publish_programme(actor=designer_a, programme=programme)
    messages = caught.value.messages
    assert messages[0] == "プログラムを公開できません："
    assert len(messages) >= 3  # the heading, then one line per problem
    programme.refresh_from_db()
    assert programme.status == Programme.Status.DRAFT
    assert programme.latest_version.published_at is None


def test_the_refusal_lists_the_reasons_in_the_users_language(designer_a, issuer_a):
    descriptors = fully_described_descriptors()
    del descriptors["learning_outcomes"]
    programme = services.create_programme(
        actor=designer_a, issuer=issuer_a, slug="incomplete", descriptors=descriptors
    )
    report = selectors.programme_report(programme.latest_version)
    missing = report.result("learning_outcomes")
    with translation.override("en"), pytest.raises(ValidationError) as english:
        services.publish_programme(actor=designer_a, programme=programme)
    with translation.override("ja"), pytest.raises(ValidationError) as japanese:
        services.publish_programme(actor=designer_a, programme=programme)
    assert missing.reason_en in english.value.messages
    assert missing.reason_ja in japanese.value.messages
    assert english.value.messages[0] == "The programme cannot be published:"


def test_a_participation_only_programme_cannot_be_published_as_a_micro_credential(
    designer_a, issuer_a
):
    descriptors = fully_described_descriptors()
    descriptors["type_of_assessment"] = {
        "methods": [{"type": "participation", "supervised": False, "identity_verified": False}]
    }
    programme = services.create_programme(
        actor=designer_a, issuer=issuer_a, slug="seminar", descriptors=descriptors
    )
    report = selectors.programme_report(programme.latest_version)
    assert report.is_micro_credential is False
    with translation.override("ja"), pytest.raises(ValidationError) as caught:
        services.publish_programme(actor=designer_a, programme=programme)
    participation_rule = next(r for r in report.rules if r.code == "assessment_required")
    assert participation_rule.message_ja in caught.value.messages
    programme.refresh_from_db()
    assert programme.status == Programme.Status.DRAFT


def test_retiring_keeps_issued_awards_and_blocks_new_edits(draft, designer_a):
    published = services.publish_programme(actor=designer_a, programme=draft)
    award = AwardFactory(assessment__programme_version=published, issued=True)
    services.retire_programme(actor=designer_a, programme=draft)
    draft.refresh_from_db()
    award.refresh_from_db()
    assert draft.status == Programme.Status.RETIRED
    assert award.is_valid
    with pytest.raises(ValidationError):
        services.revise_programme(actor=designer_a, programme=draft, criteria_ja="x")
    with pytest.raises(ValidationError):
        services.publish_programme(actor=designer_a, programme=draft)
    assert AuditEvent.objects.filter(action="programme.retire").count() == 1


def test_a_viewer_can_neither_publish_nor_retire(draft, viewer_a):
    with pytest.raises(PermissionDenied):
        services.publish_programme(actor=viewer_a, programme=draft)
    with pytest.raises(PermissionDenied):
        services.retire_programme(actor=viewer_a, programme=draft)


class TestStackRequirements:
    def test_a_stack_requires_programmes_of_its_issuer_or_a_partner(
        self, designer_a, issuer_a, issuer_b
    ):
        target = ProgrammeFactory(issuer=issuer_a)
        foreign = ProgrammeFactory(issuer=issuer_b)
        with pytest.raises(ValidationError):
            services.set_stack_requirement(actor=designer_a, target=target, required=[foreign])

    def test_a_stack_cannot_make_a_cycle(self, designer_a, issuer_a):
        bronze, silver, gold = ProgrammeFactory.create_batch(3, issuer=issuer_a)
        services.set_stack_requirement(actor=designer_a, target=gold, required=[silver])
        services.set_stack_requirement(actor=designer_a, target=silver, required=[bronze])
        with pytest.raises(ValidationError):
            services.set_stack_requirement(actor=designer_a, target=bronze, required=[gold])

    def test_the_number_needed_cannot_exceed_the_set(self, designer_a, issuer_a):
        target, one, two = ProgrammeFactory.create_batch(3, issuer=issuer_a)
        with pytest.raises(ValidationError):
            services.set_stack_requirement(
                actor=designer_a, target=target, required=[one, two], min_count=3
            )

    def test_setting_and_removing_a_stack_is_audited(self, designer_a, issuer_a):
        target, one, two = ProgrammeFactory.create_batch(3, issuer=issuer_a)
        requirement = services.set_stack_requirement(
            actor=designer_a, target=target, required=[one, two], min_count=1
        )
        assert set(requirement.required.all()) == {one, two}
        assert services.set_stack_requirement(actor=designer_a, target=target, required=[]) is None
        assert [e.action for e in AuditEvent.objects.order_by("id")] == [
            "stack.set",
            "stack.remove",
        ]


class TestBadgeImages:
    def test_a_png_badge_image_is_accepted_and_kept_by_the_next_version(self, draft, designer_a):
        version = services.revise_programme(
            actor=designer_a, programme=draft, badge_image=png_upload()
        )
        assert version.badge_image.name.endswith(".png")
        services.publish_programme(actor=designer_a, programme=draft)
        revised = services.revise_programme(actor=designer_a, programme=draft, criteria_en="v2")
        assert revised.badge_image.name == version.badge_image.name
        data, content_type = version_badge_image(revised)
        assert content_type == "image/png" and data.startswith(b"\x89PNG")

    def test_a_jpeg_is_refused_because_badges_cannot_be_baked_into_it(self, draft, designer_a):
        with pytest.raises(ValidationError) as caught:
            services.revise_programme(
                actor=designer_a,
                programme=draft,
                badge_image=png_upload("badge.jpg", image_format="JPEG"),
            )
        assert "badge_image" in caught.value.message_dict

    def test_an_svg_with_a_script_is_refused(self, draft, designer_a):
        svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
        with pytest.raises(ValidationError):
            services.revise_programme(
                actor=designer_a, programme=draft, badge_image=SimpleUploadedFile("b.svg", svg)
            )
        assert not ProgrammeVersion.objects.get(pk=draft.latest_version.pk).badge_image

    def test_without_an_upload_the_generated_design_shows_the_title(self, version_a):
        data, content_type = version_badge_image(version_a)
        assert content_type == "image/svg+xml"
        assert "データサイエンス基礎" in data.decode()
        validate_image_upload(SimpleUploadedFile("badge.svg", data))  # a safe SVG

    def test_the_generated_design_escapes_the_title(self):
        svg = default_badge_svg(title='<script>alert("x")</script> & co', subtitle="<b>")
        assert "<script>" not in svg and "&lt;script&gt;" in svg and "&amp; co" in svg
        validate_image_upload(SimpleUploadedFile("badge.svg", svg.encode()))

    def test_long_japanese_titles_wrap_by_width_and_are_cut_with_an_ellipsis(self):
        lines = wrap_title("データサイエンス・プロフェッショナル（プラチナ）" * 3)
        assert len(lines) == 4
        assert all(len(line) <= 10 for line in lines)
        assert lines[-1].endswith("…")


def test_programme_versions_are_unique_per_number(version_a):
    with pytest.raises(Exception, match="version_number_unique"):
        ProgrammeVersionFactory(programme=version_a.programme, number=1)
