import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("mc_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.ping")
def ping(value: str = "pong") -> str:
    """Round trip used by health checks and the worker integration tests."""
    return value


@app.task(name="config.database_name")
def database_name() -> str:
    """Which database this worker writes to: lets tests and operators check its wiring."""
    from django.db import connection

    return connection.settings_dict["NAME"]
