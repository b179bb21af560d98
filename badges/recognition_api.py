"""POST /api/v1/learners/outside-badges/: an LMS (JV-Campus, Moodle…) hands in a badge a learner
earned elsewhere, for recognition of prior learning (docs/recognition.md). The portal verifies
it exactly as on the learner's page (badges.recognition); a refusal is a 422 with the reason and
the failed checks, in Japanese and English."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from badges.recognition import BadgeRefused, failed_checks, submit_outside_badge
from common.problems import Unprocessable
from credentials.api.views import ERRORS
from credentials.models import normalise_email
from credentials.selectors import learners_for_user
from issuers.permissions import Action


class OutsideBadgeInputSerializer(serializers.Serializer):
    email = serializers.EmailField(help_text="A learner enrolled at the client's issuer.")
    badge = serializers.CharField(
        max_length=2_000_000,
        trim_whitespace=True,
        help_text="The badge as the learner has it: a URL, OB 2.0/3.0 JSON, a JWS or a VC-JWT.",
    )


class RecognitionSerializer(serializers.Serializer):
    stacked_programme = serializers.CharField(help_text="The stack that may count it.")
    counts_as = serializers.CharField(help_text="The required programme it stands for.")
    status = serializers.ChoiceField(choices=["pending", "approved", "declined", "withdrawn"])


class OutsideBadgeOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=["verified", "withdrawn"])
    issuer_id = serializers.CharField()
    issuer_name = serializers.CharField()
    achievement_id = serializers.CharField()
    achievement_name = serializers.CharField()
    level = serializers.IntegerField(allow_null=True, help_text="JEQF level, when the badge says")
    hours = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)
    valid_until = serializers.DateTimeField(allow_null=True)
    recognitions = RecognitionSerializer(many=True)


def _output(achievement) -> dict:
    return {
        "id": achievement.public_id,
        "status": achievement.status,
        "issuer_id": achievement.issuer_id,
        "issuer_name": achievement.issuer_name,
        "achievement_id": achievement.achievement_id,
        "achievement_name": achievement.achievement_name,
        "level": achievement.level,
        "hours": achievement.hours,
        "valid_until": achievement.valid_until,
        "recognitions": [
            {
                "stacked_programme": recognition.rule.requirement.target.slug,
                "counts_as": recognition.rule.stands_for.slug,
                "status": recognition.status,
            }
            for recognition in achievement.recognitions.select_related(
                "rule__requirement__target", "rule__stands_for"
            )
        ],
    }


class OutsideBadgeView(APIView):
    required_scopes = {"POST": "awards:write"}

    @extend_schema(
        operation_id="learners_outside_badges_create",
        request=OutsideBadgeInputSerializer,
        responses={201: OutsideBadgeOutputSerializer, **ERRORS},
        description="Register a badge the learner earned at another institution. It is "
        "verified (signature, issuer, status, expiry, issued to this learner) and matched "
        "against the recognition rules of the portal's stacks. Audited.",
    )
    def post(self, request):
        serializer = OutsideBadgeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        learner = get_object_or_404(
            learners_for_user(request.user, Action.ISSUE_AWARD),
            email=normalise_email(data["email"]),
        )
        try:
            achievement = submit_outside_badge(
                learner=learner, data=data["badge"], actor=request.user, request=request
            )
        except BadgeRefused as error:
            raise Unprocessable(
                error.messages[0], errors={"badge": failed_checks(error.result)}
            ) from error
        return Response(
            OutsideBadgeOutputSerializer(_output(achievement)).data, status=status.HTTP_201_CREATED
        )
