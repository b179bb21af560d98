"""/api/v1/: the REST API for learning management systems (fixed paths, see the API issue)."""

from django.urls import path

import config.api  # noqa: F401  (registers the OpenAPI bearer scheme extension)
from badges.api import VerifyView
from badges.recognition_api import OutsideBadgeView
from badges.wallet_api import AwardOfferView
from credentials.api import batch_views, crosswalk_views, evidence_views, views
from issuers.api import WebhookDetailView, WebhookListView

app_name = "api"

urlpatterns = [
    path("programs/", views.ProgramListView.as_view(), name="programs"),
    path("programs/<int:id>/", views.ProgramDetailView.as_view(), name="program"),
    path("programs/<int:id>/publish/", views.ProgramPublishView.as_view(), name="program-publish"),
    path(
        "programs/<int:id>/crosswalk/",
        crosswalk_views.ProgramCrosswalkView.as_view(),
        name="program-crosswalk",
    ),
    path("learners/", views.LearnerUpsertView.as_view(), name="learners"),
    path("learners/outside-badges/", OutsideBadgeView.as_view(), name="learner-outside-badges"),
    path("assessments/", views.AssessmentCreateView.as_view(), name="assessments"),
    path(
        "assessments/<int:id>/evidence/",
        evidence_views.AssessmentEvidenceView.as_view(),
        name="assessment-evidence",
    ),
    path("awards/", views.AwardListView.as_view(), name="awards"),
    path("awards/<uuid:id>/", views.AwardDetailView.as_view(), name="award"),
    path("awards/<uuid:id>/revoke/", views.AwardRevokeView.as_view(), name="award-revoke"),
    path("awards/<uuid:id>/offer/", AwardOfferView.as_view(), name="award-offer"),
    path("awards/<uuid:id>/suspend/", views.AwardSuspendView.as_view(), name="award-suspend"),
    path("awards/<uuid:id>/reinstate/", views.AwardReinstateView.as_view(), name="award-reinstate"),
    path("awards/<uuid:id>/reissue/", views.AwardReissueView.as_view(), name="award-reissue"),
    path("batches/", batch_views.BatchListView.as_view(), name="batches"),
    path("batches/<uuid:id>/", batch_views.BatchDetailView.as_view(), name="batch"),
    path("batches/<uuid:id>/errors/", batch_views.BatchErrorsView.as_view(), name="batch-errors"),
    path("verify/", VerifyView.as_view(), name="verify"),
    path("webhooks/", WebhookListView.as_view(), name="webhooks"),
    path("webhooks/<int:id>/", WebhookDetailView.as_view(), name="webhook"),
]
