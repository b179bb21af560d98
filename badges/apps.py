from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BadgesConfig(AppConfig):
    name = "badges"
    verbose_name = _("Badges")

    def ready(self):
        # credentials dispatches "badges.*" tasks by name from the web process, where Celery's
        # autodiscovery (run when a worker starts) has not imported them: register them here.
        from badges import tasks  # noqa: F401
