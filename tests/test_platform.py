"""The platform itself: settings per environment, health, language and the worker wiring."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

REPO = Path(__file__).resolve().parent.parent


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    clean_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_", "KEY_ENCRYPTION"))
    }
    clean_env.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=clean_env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip


def test_local_settings_run_on_sqlite_with_tasks_in_process_when_nothing_is_configured():
    result = run_python(
        "import django; from django.conf import settings; django.setup();"
        "print(settings.DATABASES['default']['ENGINE']); print(settings.CELERY_TASK_ALWAYS_EAGER)",
        DJANGO_SETTINGS_MODULE="config.settings.local",
    )
    assert result.returncode == 0, result.stderr
    engine, eager = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert eager == "True"


def test_local_settings_use_postgresql_and_a_real_broker_when_urls_are_given():
    result = run_python(
        "import django; from django.conf import settings; django.setup();"
        "print(settings.DATABASES['default']['ENGINE']); print(settings.CELERY_TASK_ALWAYS_EAGER)",
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/mcportal",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    engine, eager = result.stdout.split()
    assert engine == "django.db.backends.postgresql"
    assert eager == "False"


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = run_python(
        "import django; django.setup()",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_ALLOWED_HOSTS="portal.example.ac.jp",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/mcportal",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        KEY_ENCRYPTION_KEYS="bG9jYWwtZGV2ZWxvcG1lbnQtb25seS1rZXktMzJieXQ=",
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_settings_refuse_to_start_without_a_key_encryption_key():
    result = run_python(
        "import django; django.setup()",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="x" * 64,
        DJANGO_ALLOWED_HOSTS="portal.example.ac.jp",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/mcportal",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode != 0
    assert "KEY_ENCRYPTION_KEYS" in result.stderr


@pytest.mark.django_db
def test_health_check_answers_ok_when_the_database_answers(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_pages_are_japanese_by_default(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert '<html lang="ja">' in response.content.decode()
    assert "マイクロクレデンシャル" in response.content.decode()


@pytest.mark.django_db
def test_pages_switch_to_english_with_the_language_switcher(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    assert "Japanese Micro-credential Framework" in response.content.decode()


@pytest.mark.django_db
def test_openapi_schema_is_served(client):
    response = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "MC Portal API"


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_tasks_sent_through_redis(celery_worker):
    from config.celery_app import ping

    assert ping.delay("こんにちは").get(timeout=30) == "こんにちは"


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_the_worker_writes_to_the_test_database(celery_worker):
    from django.db import connection

    from config.celery_app import database_name

    assert database_name.delay().get(timeout=30) == connection.settings_dict["NAME"]
