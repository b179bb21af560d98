"""The issuing pipeline (badges.services, badges.tasks) driven through the credentials
services, as in production: issue_award / revoke_award → on-commit dispatch by task name →
badge record (Celery runs eagerly in the test settings)."""

import io
import json

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from badges import baked, baking, ob3, services, tasks
from badges.models import BadgeRecord, StatusList
from badges.status_list import decode_status_list
from config.celery_app import app
from credentials.models import Award
from issuers.models import AuditEvent
from tests.badges.ob3_world import issue, passed_assessment, revoke
from tests.credentials.factories import ProgrammeVersionFactory

pytestmark = pytest.mark.django_db


def issued_through_services(capture, **kwargs) -> Award:
    with capture(execute=True):
        award = issue(passed_assessment(**kwargs))
    return award


def baked_image(record, variant: str) -> bytes:
    return baked.bake_variant(BadgeRecord.objects.get(pk=record.pk), variant)


class TestThroughCredentialsServices:
    def test_issue_award_dispatches_and_makes_the_badges(self, django_capture_on_commit_callbacks):
        award = issued_through_services(django_capture_on_commit_callbacks)
        record = BadgeRecord.objects.get(award=award)
        assert services.is_complete(record)
        assert record.ob3_credential["proof"]["verificationMethod"] == (
            ob3.verification_method_id(record.ob3_signing_key)
        )
        assert record.ob3_signing_key.algorithm == "ed25519"
        assert record.ob2_signing_key.algorithm == "rsa2048"
        assert record.ob2_assertion["id"].endswith(str(award.public_id))
        events = AuditEvent.objects.filter(action="badge.issue", target_id=str(record.pk))
        assert events.count() == 1
        assert events.get().details["status_index"] == record.status_index

    def test_revoke_award_sets_the_bit(self, django_capture_on_commit_callbacks):
        award = issued_through_services(django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            revoke(award)
        record = BadgeRecord.objects.get(award=award)
        status_list = record.status_list
        encoded = status_list.credential["credentialSubject"]["encodedList"]
        assert list(decode_status_list(encoded).set_indices()) == [record.status_index]
        assert status_list.signed_version == status_list.version == 2
        assert AuditEvent.objects.filter(action="badge.revoke").count() == 1

    def test_a_pending_award_gets_no_badge(self):
        from tests.credentials.factories import AwardFactory

        award = AwardFactory()
        assert services.issue_badges_for_award(award.pk) is None
        assert services.revoke_badges_for_award(award.pk) is None
        assert not BadgeRecord.objects.exists()


class TestIdempotency:
    def test_running_twice_makes_nothing_new(self, django_capture_on_commit_callbacks):
        award = issued_through_services(django_capture_on_commit_callbacks)
        first = BadgeRecord.objects.get(award=award)
        again = services.issue_badges_for_award(award.pk)
        tasks.issue_award_badges.delay(award.pk)  # a redelivered task
        assert again.pk == first.pk
        assert BadgeRecord.objects.count() == 1
        assert StatusList.objects.count() == 2  # the revocation list and its suspension twin
        again.refresh_from_db()
        assert again.ob3_credential == first.ob3_credential
        assert again.ob2_jws == first.ob2_jws
        assert again.status_index == first.status_index
        assert AuditEvent.objects.filter(action="badge.issue").count() == 1

    def test_an_interrupted_run_is_completed_without_re_signing(self):
        award = issue(passed_assessment())
        record = services.issue_badges_for_award(award.pk)
        credential = record.ob3_credential
        record.ob2_jws = ""
        record.save()
        completed = services.issue_badges_for_award(award.pk)
        assert services.is_complete(completed)
        assert completed.ob3_credential == credential
        (found,) = baking.unbake(baked_image(completed, "ob2.png"))
        assert found.payload == completed.ob2_jws
        made = AuditEvent.objects.filter(action="badge.issue").order_by("pk").last().details
        assert made["made"] == ["ob2_jws"]

    def test_issuing_writes_no_image_file(self, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        award = issue(passed_assessment())
        assert services.is_complete(services.issue_badges_for_award(award.pk))
        assert not (tmp_path / "badges").exists()


class TestBakedImages:
    def test_the_four_images_carry_the_signed_badges(self):
        award = issue(passed_assessment())
        record = services.issue_badges_for_award(award.pk)
        (ob3_png,) = baking.unbake(baked_image(record, "ob3.png"))
        (ob3_svg,) = baking.unbake(baked_image(record, "ob3.svg"))
        for found, image_format in ((ob3_png, "png"), (ob3_svg, "svg")):
            assert found.version == "3.0" and found.image_format == image_format
            assert json.loads(found.payload) == record.ob3_credential
        (ob2_png,) = baking.unbake(baked_image(record, "ob2.png"))
        (ob2_svg,) = baking.unbake(baked_image(record, "ob2.svg"))
        assert ob2_png.payload == ob2_svg.payload == record.ob2_jws

    def test_an_svg_only_programme_gets_a_drawn_png(self):
        award = issue(passed_assessment())  # no upload: the generated SVG design
        record = services.issue_badges_for_award(award.pk)
        with Image.open(io.BytesIO(baked_image(record, "ob3.png"))) as image:
            assert image.format == "PNG" and image.size == (600, 600)
        assert b"<svg" in baked_image(record, "ob3.svg")[:200]

    def test_a_png_programme_gets_an_svg_embedding_it(self):
        out = io.BytesIO()
        Image.new("RGB", (64, 64), (200, 30, 30)).save(out, format="PNG")
        version = ProgrammeVersionFactory()
        version.badge_image.save("badge.png", ContentFile(out.getvalue()), save=True)
        award = issue(passed_assessment(version=version))
        record = services.issue_badges_for_award(award.pk)
        svg = baked_image(record, "ob3.svg")
        assert b'href="data:image/png;base64,' in svg
        with Image.open(io.BytesIO(baked_image(record, "ob2.png"))) as image:
            assert image.size == (64, 64)


def test_tasks_are_registered_by_name_for_late_acks_and_retries():
    from django.db import OperationalError

    for name in ("badges.issue_award_badges", "badges.revoke_award_badges"):
        task = app.tasks[name]
        assert task.acks_late is True
        assert OperationalError in task.autoretry_for
        assert task.retry_backoff
