from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CredentialsConfig(AppConfig):
    name = "credentials"
    verbose_name = _("Credentials")

    def ready(self):
        # Registered in every process (the web one too), like the badges tasks.
        from credentials import tasks  # noqa: F401
