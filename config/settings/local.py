"""Development and demo: runs with nothing configured (SQLite, tasks in-process)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-not-secret")
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Development/test key-encryption key: not secret, never used in production.
KEY_ENCRYPTION_KEYS = env.list(
    "KEY_ENCRYPTION_KEYS", default=["bG9jYWwtZGV2ZWxvcG1lbnQtb25seS1rZXktMzJieXQ="]
)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
