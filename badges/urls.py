"""Public badge URLs. Stable: they are inside every badge ever issued."""

from django.urls import include, path

app_name = "badges"
urlpatterns = [
    path("", include("badges.urls_ob2")),
    path("", include("badges.urls_ob3")),
    path("", include("badges.urls_public")),
    path("", include("badges.urls_obapi")),
    path("", include("badges.urls_wallet")),
]
