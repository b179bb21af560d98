from django.urls import path
from oauth2_provider import views as oauth

from badges.obapi import views
from badges.views.learner_zip import credentials_zip
from badges.views.outside_badges import learner_outside_badges

urlpatterns = [
    path("ims/ob/v3p0/discovery", views.discovery, name="obapi-discovery"),
    path("ims/ob/v3p0/register", views.register, name="obapi-register"),
    path("ims/ob/v3p0/authorize", views.LearnerAuthorizationView.as_view(), name="obapi-authorize"),
    path("ims/ob/v3p0/token", oauth.TokenView.as_view(), name="obapi-token"),
    path("ims/ob/v3p0/revoke", oauth.RevokeTokenView.as_view(), name="obapi-revoke"),
    path("ims/ob/v3p0/credentials", views.credentials, name="obapi-credentials"),
    path("ims/ob/v3p0/profile", views.profile, name="obapi-profile"),
    path("learner/apps/", views.learner_apps, name="learner-apps"),
    path("learner/outside-badges/", learner_outside_badges, name="learner-outside-badges"),
    path("learner/credentials.zip", credentials_zip, name="learner-credentials-zip"),
]
