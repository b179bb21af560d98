"""The production topology of docker-compose.yml, checked by reading it and by running its web
and worker commands against the local PostgreSQL and Redis (there is no Docker engine here)."""

import base64
import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

REPO = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_compose_describes_web_worker_beat_postgres_and_redis():
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(COMPOSE["services"])


@pytest.mark.parametrize("service", ["web", "worker", "postgres", "redis"])
def test_long_running_services_have_health_checks(service):
    assert COMPOSE["services"][service]["healthcheck"]["test"]


def test_app_services_wait_for_healthy_database_and_broker():
    for service in ("web", "worker", "beat"):
        depends_on = COMPOSE["services"][service]["depends_on"]
        assert depends_on["postgres"]["condition"] == "service_healthy"
        assert depends_on["redis"]["condition"] == "service_healthy"
        assert depends_on["migrate"]["condition"] == "service_completed_successfully"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env() -> dict:
    from django.conf import settings

    from tests.support.services import database_url

    # The server's own "postgres" database: it exists wherever PostgreSQL runs (an "mcportal"
    # database need not); the health check only asks it SELECT 1.
    database = {**settings.DATABASES["default"], "NAME": "postgres"}
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=base64.urlsafe_b64encode(os.urandom(48)).decode(),
        DJANGO_ALLOWED_HOSTS="portal.example.ac.jp",
        DATABASE_URL=database_url(database),
        CELERY_BROKER_URL="redis://127.0.0.1:6379/14",
        KEY_ENCRYPTION_KEYS=base64.urlsafe_b64encode(os.urandom(32)).decode(),
    )
    return env


def test_the_compose_web_command_serves_health_checks_with_production_settings(redis_url):
    command = shlex.split(COMPOSE["services"]["web"]["command"])
    assert command[0] == "gunicorn"
    port = free_port()
    command = [sys.executable, "-m", *command]
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    server = subprocess.Popen(
        command, cwd=REPO, env=production_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        response = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and server.poll() is None:
            try:
                response = requests.get(
                    f"http://127.0.0.1:{port}/healthz",
                    headers={"Host": "portal.example.ac.jp", "X-Forwarded-Proto": "https"},
                    timeout=10,
                )
                break
            except requests.ConnectionError:
                time.sleep(0.3)
        assert response is not None, server.stdout.read().decode() if server.poll() else ""
        if response.status_code != 200:
            server.terminate()
            raise AssertionError(server.stdout.read().decode()[-3000:])  # the server's traceback
        assert response.json() == {"status": "ok"}
        plain_http = requests.get(
            f"http://127.0.0.1:{port}/healthz",
            headers={"Host": "portal.example.ac.jp"},
            allow_redirects=False,
            timeout=10,
        )
        assert plain_http.status_code == 301  # production redirects to HTTPS
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_compose_worker_command_starts_a_worker_with_production_settings(redis_url):
    command = shlex.split(COMPOSE["services"]["worker"]["command"])
    assert command[:3] == ["celery", "-A", "config.celery_app"]
    worker = subprocess.Popen(
        [sys.executable, "-m", *command, "-n", f"topology-{os.getpid()}@%h"],
        cwd=REPO,
        env=production_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        from celery import Celery

        app = Celery(broker="redis://127.0.0.1:6379/14")
        deadline = time.monotonic() + 60
        replies = []
        while time.monotonic() < deadline and worker.poll() is None and not replies:
            replies = app.control.ping(timeout=1.0)
        assert replies, "the production worker did not answer a ping"
        queues = app.control.inspect(timeout=2.0).active_queues() or {}
        served = {queue["name"] for entries in queues.values() for queue in entries}
        assert {"celery", "signing", "baking", "mail"} <= served
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(timeout=60)
