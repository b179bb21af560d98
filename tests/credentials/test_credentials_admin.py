"""The staff UI in the admin: pages render for staff, other issuers' objects stay hidden, and
every write (editor, publish, grid, import, approve, revoke) goes through the services."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from credentials.models import Assessment, Award, Learner, LearnerEnrolment, Programme
from issuers.models import AuditEvent, Role
from tests.credentials.factories import (
    AssessmentFactory,
    AwardFactory,
    EnrolmentFactory,
    LearnerFactory,
)
from tests.issuers.factories import MembershipFactory

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture
def world(version_a, version_b, learner_a, issuer_b):
    """Each issuer has a programme, an enrolled learner with a result and an award."""
    learner_b = EnrolmentFactory(
        issuer=issuer_b, learner=LearnerFactory(email="only-at-b@example.ac.jp")
    ).learner
    award_a = AwardFactory(
        assessment=AssessmentFactory(learner=learner_a, programme_version=version_a)
    )
    award_b = AwardFactory(
        assessment=AssessmentFactory(learner=learner_b, programme_version=version_b), issued=True
    )
    return {"learner_b": learner_b, "award_a": award_a, "award_b": award_b}


def login(client, user):
    client.force_login(user)
    return client


CHANGELISTS = ["programme", "award", "learner", "assessment"]


@pytest.mark.parametrize("model", CHANGELISTS)
def test_each_list_renders_for_staff_and_hides_the_other_issuers_objects(
    client, model, world, owner_a, version_a, version_b
):
    response = login(client, owner_a).get(reverse(f"admin:credentials_{model}_changelist"))
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert shown, "A's own objects are listed"
    issuers = {_issuer_of(obj) for obj in shown}
    assert issuers <= {version_a.programme.issuer_id}


def _issuer_of(obj):
    if isinstance(obj, Programme):
        return obj.issuer_id
    if isinstance(obj, Learner):
        return obj.enrolments.get(issuer__slug="univ-a").issuer_id
    return obj.programme_version.programme.issuer_id


def test_the_admin_index_shows_credentials_to_a_viewer(client, viewer_a):
    response = login(client, viewer_a).get(reverse("admin:index"))
    assert response.status_code == 200
    assert reverse("admin:credentials_programme_changelist") in response.content.decode()


@pytest.mark.parametrize(
    ("url_name", "obj"),
    [
        ("admin:credentials_programme_change", "programme_b"),
        ("admin:credentials_award_change", "award_b"),
        ("admin:credentials_learner_change", "learner_b"),
        ("admin:credentials_programme_assessments", "version_b"),
        ("admin:credentials_programme_import", "version_b"),
    ],
)
def test_another_issuers_objects_answer_404(client, world, owner_a, version_b, url_name, obj):
    objects = {**world, "version_b": version_b, "programme_b": version_b.programme}
    response = login(client, owner_a).get(reverse(url_name, args=[objects[obj].pk]))
    assert response.status_code == 404


class TestProgrammeEditor:
    def test_the_editor_shows_descriptor_groups_completeness_and_crosswalks(
        self, client, owner_a, version_a
    ):
        response = login(client, owner_a).get(
            reverse("admin:credentials_programme_change", args=[version_a.programme_id])
        )
        assert response.status_code == 200
        context = response.context
        assert context["report"].completeness == 100
        groups = {
            group.code: [entry["editor"].key for entry in entries]
            for group, entries in context["descriptor_groups"]
        }
        assert groups == {  # the framework's own grouping; award-supplied keys are left out
            "issuing": ["country_region"],
            "overview": ["title", "content"],
            "learning": [
                "learning_outcomes", "form_of_participation", "language", "learner_effort",
                "level", "prerequisites",
            ],
            "assessment_quality": ["type_of_assessment", "quality_assurance"],
            "recognition": ["certification", "credit_recognition", "stackability"],
        }  # fmt: skip
        assert {table.target for table in context["crosswalks"]} == {"eu", "au"}
        page = response.content.decode()
        assert "100%" in page and 'id="descriptor-learning_outcomes"' in page

    def test_required_descriptors_are_marked_and_missing_ones_flagged(
        self, client, owner_a, version_a
    ):
        del version_a.descriptors["learning_outcomes"]
        version_a.save()
        response = login(client, owner_a).get(
            reverse("admin:credentials_programme_change", args=[version_a.programme_id])
        )
        rows = {
            entry["editor"].key: entry["result"]
            for _group, entries in response.context["descriptor_groups"]
            for entry in entries
        }
        assert rows["learning_outcomes"].status == "missing"
        assert rows["learning_outcomes"].required
        assert response.context["report"].completeness < 100

    def test_creating_a_programme_through_the_editor(self, client, designer_a, issuer_a):
        client = login(client, designer_a)
        form = client.get(reverse("admin:credentials_programme_add")).context["form"]
        data = {name: value for name, value in _form_data(form).items() if value is not None}
        data.update(
            issuer=issuer_a.pk,
            slug="new-programme",
            **{
                "d-title-ja": "新しいプログラム",
                "d-learning_outcomes-items-0-ja": "成果一",
                "d-learning_outcomes-items-0-en": "Outcome one",
                "d-learning_outcomes-items-1-ja": "成果二",
                "d-language": ["ja"],
                "d-language-other": "en",
                "d-country_region": "JP",
                "d-learner_effort-total_hours": "20",
            },
        )
        response = client.post(reverse("admin:credentials_programme_add"), data)
        assert response.status_code == 302
        programme = Programme.objects.get(slug="new-programme")
        assert programme.latest_version.descriptors == {
            "title": {"ja": "新しいプログラム"},
            "learning_outcomes": [{"ja": "成果一", "en": "Outcome one"}, {"ja": "成果二"}],
            "language": ["ja", "en"],
            "country_region": "JP",
            "learner_effort": {"total_hours": 20},
        }
        assert AuditEvent.objects.filter(action="programme.create").count() == 1

    def test_an_impossible_value_is_an_error_on_its_field_and_nothing_is_saved(
        self, client, designer_a, issuer_a
    ):
        response = login(client, designer_a).post(
            reverse("admin:credentials_programme_add"),
            {
                "issuer": issuer_a.pk,
                "slug": "broken",
                "d-title-ja": "壊れた",
                "d-learner_effort-total_hours": "10",
                "d-learner_effort-contact_hours": "30",
            },
        )
        assert response.status_code == 200
        assert response.context["form"].errors["d-learner_effort-contact_hours"]
        assert not Programme.objects.exists()

    def test_saving_a_published_programme_opens_version_two_and_publishes_it(
        self, client, owner_a, version_a
    ):
        client = login(client, owner_a)
        url = reverse("admin:credentials_programme_change", args=[version_a.programme_id])
        data = _form_data(client.get(url).context["form"])
        data["d-content-en"] = "Revised description."
        data["_publish"] = "1"
        response = client.post(url, data)
        assert response.status_code == 302
        programme = Programme.objects.get(pk=version_a.programme_id)
        assert programme.published_version.number == 2
        assert programme.published_version.descriptors["content"]["en"] == "Revised description."
        version_a.refresh_from_db()
        assert version_a.descriptors["content"]["en"] != "Revised description."

    def test_a_viewer_sees_the_editor_read_only_and_cannot_post(self, client, viewer_a, version_a):
        client = login(client, viewer_a)
        url = reverse("admin:credentials_programme_change", args=[version_a.programme_id])
        response = client.get(url)
        assert response.status_code == 200 and not response.context["can_edit"]
        assert client.post(url, {}).status_code == 403

    def test_publishing_an_incomplete_draft_shows_the_reasons(self, client, owner_a, version_a):
        programme = version_a.programme
        version_a.published_at = None
        del version_a.descriptors["type_of_assessment"]
        version_a.save()
        programme.status = Programme.Status.DRAFT
        programme.save()
        response = login(client, owner_a).post(
            reverse("admin:credentials_programme_publish", args=[programme.pk]), follow=True
        )
        assert response.status_code == 200
        programme.refresh_from_db()
        assert programme.status == Programme.Status.DRAFT
        messages = [str(m) for m in response.context["messages"]]
        assert any("type_of_assessment" in m or "評価" in m or "assessment" in m for m in messages)

    def test_the_retire_action_goes_through_the_service(self, client, owner_a, version_a):
        response = login(client, owner_a).post(
            reverse("admin:credentials_programme_changelist"),
            {"action": "retire_selected", ACTION_CHECKBOX_NAME: [version_a.programme_id]},
        )
        assert response.status_code == 302
        assert Programme.objects.get(pk=version_a.programme_id).status == "retired"
        assert AuditEvent.objects.filter(action="programme.retire").exists()


def _form_data(form) -> dict:
    """What the browser would post for an unchanged form."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or field.disabled:
            continue
        if isinstance(value, list):
            data[name] = [getattr(item, "pk", item) for item in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    return data


class TestAssessmentGrid:
    def url(self, version):
        return reverse("admin:credentials_programme_assessments", args=[version.pk])

    def test_the_grid_lists_each_learners_latest_result(self, client, assessor_a, world, version_a):
        response = login(client, assessor_a).get(self.url(version_a))
        assert response.status_code == 200
        formset = response.context["formset"]
        learners = [f.initial.get("email") for f in formset.forms if f.initial.get("learner_id")]
        assert learners == ["hanako@example.ac.jp"]

    def test_one_post_records_results_and_adds_learners(
        self, client, assessor_a, world, version_a, learner_a
    ):
        client = login(client, assessor_a)
        formset = client.get(self.url(version_a)).context["formset"]
        data = {
            "form-TOTAL_FORMS": len(formset.forms),
            "form-INITIAL_FORMS": len(formset.forms),
            "form-MIN_NUM_FORMS": 0,
            "form-MAX_NUM_FORMS": 1000,
        }
        for index, form in enumerate(formset.forms):
            for name, value in form.initial.items():
                data[f"form-{index}-{name}"] = "" if value is None else value
        data["form-0-score"] = "95"  # correct the existing result
        data.update(
            {
                "form-1-email": "New.Learner@example.ac.jp",
                "form-1-name_ja": "新入 学",
                "form-1-result": "pass",
                "form-1-assessed_on": YESTERDAY.isoformat(),
                "form-1-method": "report",
                "propose_awards": "on",
            }
        )
        response = client.post(self.url(version_a), data)
        assert response.status_code == 302, response.context and response.context["formset"].errors
        assert learner_a.assessments.get().score == 95
        newcomer = Learner.objects.get(email="new.learner@example.ac.jp")
        assert newcomer.assessments.get().method == "report"
        assert Award.objects.get(learner=newcomer).status == Award.Status.PENDING

    def test_a_bad_row_saves_nothing_and_shows_the_error(self, client, assessor_a, version_a):
        client = login(client, assessor_a)
        formset = client.get(self.url(version_a)).context["formset"]
        data = {
            "form-TOTAL_FORMS": len(formset.forms),
            "form-INITIAL_FORMS": len(formset.forms),
            "form-0-email": "a@example.ac.jp",
            "form-0-name_ja": "甲",
            "form-0-result": "pass",
            "form-0-assessed_on": YESTERDAY.isoformat(),
            "form-0-method": "written_exam",
            "form-1-email": "b@example.ac.jp",  # a new learner needs a name
            "form-1-result": "pass",
            "form-1-assessed_on": YESTERDAY.isoformat(),
            "form-1-method": "written_exam",
        }
        response = client.post(self.url(version_a), data)
        assert response.status_code == 200
        assert response.context["formset"].forms[1].errors
        assert not Learner.objects.filter(email__in=["a@example.ac.jp", "b@example.ac.jp"])
        assert not Assessment.objects.exists()

    def test_an_issuing_officer_has_no_grid(self, client, officer_a, version_a):
        assert login(client, officer_a).get(self.url(version_a)).status_code == 404


class TestResultsImport:
    def url(self, version):
        return reverse("admin:credentials_programme_import", args=[version.pk])

    def upload(self, content: bytes, name="results.csv"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return SimpleUploadedFile(name, content, content_type="text/csv")

    def test_dry_run_then_confirm(self, client, assessor_a, version_a):
        client = login(client, assessor_a)
        assert client.get(self.url(version_a)).status_code == 200
        csv = (
            "メールアドレス,氏名,合否,評価日\r\n"
            f"a@example.ac.jp,甲 太郎,合格,{YESTERDAY}\r\n"
            f"bad-email,乙,合格,{YESTERDAY}\r\n"
        ).encode("cp932")
        response = client.post(self.url(version_a), {"file": self.upload(csv)})
        assert response.status_code == 200
        report, token = response.context["report"], response.context["token"]
        assert (report.valid_rows, report.invalid_rows, report.applied) == (1, 1, False)
        assert token and not Learner.objects.exists()  # the dry run wrote nothing
        page = response.content.decode()
        assert "bad-email" in page

        response = client.post(self.url(version_a), {"token": token})
        assert response.status_code == 200 and response.context["report"].applied
        assert LearnerEnrolment.objects.get(learner=Learner.objects.get()).name_ja == "甲 太郎"
        # The stashed file is gone: confirming twice imports nothing more.
        again = client.post(self.url(version_a), {"token": token})
        assert again.status_code == 302
        assert AuditEvent.objects.filter(action="assessment.import").count() == 1

    def test_a_token_from_another_session_is_refused(self, client, assessor_a, version_a):
        from django.test import Client

        first = login(client, assessor_a)
        csv = f"email,name_ja,result,assessed_on\r\na@example.ac.jp,甲,pass,{YESTERDAY}\r\n"
        token = first.post(self.url(version_a), {"file": self.upload(csv.encode())}).context[
            "token"
        ]
        other = login(Client(), assessor_a)
        assert other.post(self.url(version_a), {"token": token}).status_code == 302
        assert not Learner.objects.exists()

    def test_an_unreadable_file_is_reported_on_the_form(self, client, assessor_a, version_a):
        response = login(client, assessor_a).post(
            self.url(version_a), {"file": self.upload(b"\x80\xa0\xfd\xfe\xff\x00")}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["file"]
        assert response.context["token"] is None


class TestAwardActions:
    def test_approving_selected_pending_awards_issues_them(self, client, officer_a, world):
        award = world["award_a"]
        response = login(client, officer_a).post(
            reverse("admin:credentials_award_changelist"),
            {"action": "approve_awards", ACTION_CHECKBOX_NAME: [award.pk]},
        )
        assert response.status_code == 302
        award.refresh_from_db()
        assert award.status == Award.Status.ISSUED and award.approved_by == officer_a

    def test_revoking_asks_for_a_reason_then_revokes(self, client, officer_a, world):
        award = world["award_a"]
        award.status, award.issued_at = Award.Status.ISSUED, timezone.now()
        award.save()
        client = login(client, officer_a)
        url = reverse("admin:credentials_award_changelist")
        page = client.post(url, {"action": "revoke_awards", ACTION_CHECKBOX_NAME: [award.pk]})
        assert page.status_code == 200 and "reason" in page.context["form"].fields
        response = client.post(
            url,
            {
                "action": "revoke_awards",
                ACTION_CHECKBOX_NAME: [award.pk],
                "apply": "1",
                "reason": "評価の誤りが判明したため",
            },
        )
        assert response.status_code == 302
        award.refresh_from_db()
        assert award.status == Award.Status.REVOKED
        assert award.revocation_reason == "評価の誤りが判明したため"

    def test_a_viewer_is_offered_no_award_actions(self, client, viewer_a, world):
        response = login(client, viewer_a).get(reverse("admin:credentials_award_changelist"))
        assert response.status_code == 200
        model_admin = response.context["cl"].model_admin
        assert (
            model_admin.get_actions(response.wsgi_request)
            .keys()
            .isdisjoint({"approve_awards", "revoke_awards"})
        )

    def test_an_award_of_another_issuer_cannot_be_approved_by_forging_the_id(
        self, client, officer_a, world
    ):
        MembershipFactory(issuer=world["award_b"].programme_version.programme.issuer)
        pending_b = world["award_b"]
        pending_b.status, pending_b.issued_at = Award.Status.PENDING, None
        pending_b.save()
        login(client, officer_a).post(
            reverse("admin:credentials_award_changelist"),
            {"action": "approve_awards", ACTION_CHECKBOX_NAME: [pending_b.pk]},
        )
        pending_b.refresh_from_db()
        assert pending_b.status == Award.Status.PENDING


def test_a_learner_is_added_through_register_learner(client, assessor_a, issuer_a):
    response = login(client, assessor_a).post(
        reverse("admin:credentials_learner_add"),
        {
            "issuer": issuer_a.pk,
            "email": "Added@Example.ac.jp",
            "name_ja": "追加 花子",
            "student_number": "S-9",
        },
    )
    assert response.status_code == 302
    learner = Learner.objects.get(email="added@example.ac.jp")
    assert learner.enrolments.get().student_number == "S-9"
    assert AuditEvent.objects.filter(action="learner.create").exists()


def test_a_designer_cannot_add_learners(client, designer_a):
    response = login(client, designer_a).get(reverse("admin:credentials_learner_add"))
    assert response.status_code == 403


def test_role_decides_not_django_model_permissions(client, issuer_a, version_a):
    staff = MembershipFactory(issuer=issuer_a, role=Role.VIEWER).user
    assert not staff.user_permissions.exists()
    response = login(client, staff).get(reverse("admin:credentials_programme_changelist"))
    assert response.status_code == 200


B_NAMES = ("乙が記録した 秘密子", "Himitsuko of B")


class TestLearnerPrivacy:
    @pytest.fixture
    def shared(self, learner_a, issuer_a, issuer_b):
        """The same person, with a student number and names recorded at each issuer."""
        learner_a.enrolments.filter(issuer=issuer_a).update(
            student_number="A-1", name_ja="甲が記録した 花子", name_en="Hanako of A"
        )
        learner_a.enrolments.create(
            issuer=issuer_b, student_number="B-SECRET", name_ja=B_NAMES[0], name_en=B_NAMES[1]
        )
        return learner_a

    def test_the_list_shows_only_the_names_the_users_issuer_recorded(self, client, owner_a, shared):
        response = login(client, owner_a).get(reverse("admin:credentials_learner_changelist"))
        page = response.content.decode()
        assert "甲が記録した 花子" in page and "Hanako of A" in page
        assert all(name not in page for name in B_NAMES)

    def test_the_learner_page_shows_only_the_names_the_users_issuer_recorded(
        self, client, owner_a, shared
    ):
        response = login(client, owner_a).get(
            reverse("admin:credentials_learner_change", args=[shared.pk])
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "甲が記録した 花子" in page and all(name not in page for name in B_NAMES)

    def test_searching_by_a_name_another_issuer_recorded_finds_nothing(
        self, client, owner_a, shared
    ):
        client = login(client, owner_a)
        url = reverse("admin:credentials_learner_changelist")
        assert list(client.get(url, {"q": "花子"}).context["cl"].result_list) == [shared]
        assert list(client.get(url, {"q": "秘密子"}).context["cl"].result_list) == []
        assert list(client.get(url, {"q": "Himitsuko"}).context["cl"].result_list) == []

    def test_the_award_list_shows_and_searches_the_name_of_the_awards_issuer(
        self, client, owner_a, shared, version_a
    ):
        award = AwardFactory(
            assessment=AssessmentFactory(learner=shared, programme_version=version_a)
        )
        client = login(client, owner_a)
        url = reverse("admin:credentials_award_changelist")
        page = client.get(url).content.decode()
        assert "甲が記録した 花子" in page and all(name not in page for name in B_NAMES)
        assert list(client.get(url, {"q": "Hanako of A"}).context["cl"].result_list) == [award]
        assert list(client.get(url, {"q": "秘密子"}).context["cl"].result_list) == []
        detail = client.get(reverse("admin:credentials_award_change", args=[award.pk]))
        assert all(name not in detail.content.decode() for name in B_NAMES)

    def test_adding_a_learner_another_issuer_knows_needs_a_name_like_a_new_one(
        self, client, owner_a, shared, issuer_a
    ):
        LearnerEnrolment.objects.filter(learner=shared, issuer=issuer_a).delete()
        response = login(client, owner_a).post(
            reverse("admin:credentials_learner_add"),
            {"issuer": issuer_a.pk, "email": shared.email, "name_ja": "", "name_en": ""},
        )
        assert response.status_code == 200 and response.context["adminform"].form.errors
        assert not LearnerEnrolment.objects.filter(learner=shared, issuer=issuer_a).exists()

    def test_the_list_shows_only_the_users_own_student_numbers(self, client, owner_a, shared):
        response = login(client, owner_a).get(reverse("admin:credentials_learner_changelist"))
        page = response.content.decode()
        assert "A-1" in page and "B-SECRET" not in page

    def test_searching_by_another_issuers_student_number_finds_nothing(
        self, client, owner_a, shared
    ):
        client = login(client, owner_a)
        url = reverse("admin:credentials_learner_changelist")
        assert list(client.get(url, {"q": "A-1"}).context["cl"].result_list) == [shared]
        assert list(client.get(url, {"q": "B-SECRET"}).context["cl"].result_list) == []

    def test_the_learner_page_lists_only_the_users_enrolments(self, client, owner_a, shared):
        response = login(client, owner_a).get(
            reverse("admin:credentials_learner_change", args=[shared.pk])
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "A-1" in page and "B-SECRET" not in page


def test_a_stack_set_up_later_is_awarded_by_the_admin_action(
    client, owner_a, issuer_a, version_a, learner_a
):
    from credentials import services
    from tests.credentials.factories import ProgrammeVersionFactory

    AwardFactory(
        assessment=AssessmentFactory(learner=learner_a, programme_version=version_a), issued=True
    )
    target = ProgrammeVersionFactory(programme__issuer=issuer_a).programme
    services.set_stack_requirement(actor=owner_a, target=target, required=[version_a.programme])
    response = login(client, owner_a).post(
        reverse("admin:credentials_programme_changelist"),
        {"action": "evaluate_stacks_now", ACTION_CHECKBOX_NAME: [target.pk]},
    )
    assert response.status_code == 302
    stacked = Award.objects.get(programme_version__programme=target)
    assert (stacked.learner, stacked.status) == (learner_a, Award.Status.PENDING)


def test_programmes_are_found_by_their_title(client, owner_a, version_a):
    response = login(client, owner_a).get(
        reverse("admin:credentials_programme_changelist"), {"q": "データサイエンス"}
    )
    assert list(response.context["cl"].result_list) == [version_a.programme]


def _awards_on_learner_page(client, user, learner):
    response = login(client, user).get(
        reverse("admin:credentials_learner_change", args=[learner.pk])
    )
    assert response.status_code == 200
    (awards,) = [
        formset for formset in response.context["inline_admin_formsets"]
        if formset.opts.model is Award
    ]  # fmt: skip
    return [form.original for form in awards]


def test_the_learner_page_shows_awards_at_the_users_issuers_only(client, owner_a, owner_b, world):
    learner = world["award_a"].learner
    learner.enrolments.create(
        issuer=world["award_b"].programme_version.programme.issuer, name_ja="乙の記録"
    )
    assert _awards_on_learner_page(client, owner_a, learner) == [world["award_a"]]
    assert _awards_on_learner_page(client, owner_b, learner) == []  # A's award stays hidden


@pytest.mark.parametrize(("extra", "rows"), [("20", 20), ("abc", 5), ("5000", 100)])
def test_the_grid_offers_a_bounded_number_of_empty_rows(client, assessor_a, version_a, extra, rows):
    response = login(client, assessor_a).get(
        reverse("admin:credentials_programme_assessments", args=[version_a.pk]), {"extra": extra}
    )
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == rows
