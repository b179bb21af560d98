"""The learner area, included at /learner/."""

from django.urls import path

from credentials.views import learner

app_name = "credentials"

urlpatterns = [
    path("", learner.area, name="learner-area"),
    path("sign-in/", learner.sign_in, name="learner-sign-in"),
    path("sign-in/<str:token>/", learner.sign_in_token, name="learner-sign-in-token"),
    path("sign-out/", learner.sign_out, name="learner-sign-out"),
    path(
        "awards/<uuid:public_id>/visibility/",
        learner.set_visibility,
        name="learner-award-visibility",
    ),
]
