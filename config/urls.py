from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView

from config import views

admin.site.site_header = _("MC Portal staff")
admin.site.site_title = _("MC Portal staff")
admin.site.index_title = _("Micro-credential administration")

# Language comes from the switcher's cookie, then Accept-Language, then Japanese (the default);
# URLs carry no language prefix so that badge and credential URLs stay stable.
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("frameworks/", include("frameworks.urls")),
    path("learner/", include("credentials.urls")),
    path("", include("badges.urls")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", views.ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", views.media, name="media"),
]
