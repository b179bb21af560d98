"""Tests run on the real services: PostgreSQL and Redis at their standard local addresses."""

import os

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env("DJANGO_SECRET_KEY", default="test-only-not-secret")
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/mcportal")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# One test database per test process, so that parallel runs on one server never collide.
DATABASES["default"]["TEST"] = {
    "NAME": env("TEST_DATABASE_NAME", default=f"test_mcportal_{os.getpid()}")
}
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
# Unit tests run tasks in-process; integration tests start a real worker (see tests/conftest.py).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A worker started by a test may write its mail to files the test counts.
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env("DJANGO_EMAIL_FILE_PATH", default=None)
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default="/tmp/mc-portal-test-media")  # noqa: S108
# Development/test key-encryption key: not secret, never used in production.
KEY_ENCRYPTION_KEYS = env.list(
    "KEY_ENCRYPTION_KEYS", default=["dGVzdC1vbmx5LWtleS1lbmNyeXB0aW9uLWtleS0zMmI="]
)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
