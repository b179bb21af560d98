from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IssuersConfig(AppConfig):
    name = "issuers"
    verbose_name = _("Issuers")

    def ready(self):
        # Registered in every process, so that beat's schedule and the web process find them.
        from issuers import tasks  # noqa: F401
