"""Benchmarks (``manage.py bench_verify``): production-like (DEBUG off, PostgreSQL with
persistent connections, no debug helpers) but self-contained, with the public verify throttle
off. Loopback fetching stays refused, as in production: the portal's own did:web documents and
status lists are resolved in-process (badges.verification.portal), never over HTTP.

Never deploy with these settings: the secrets below are fixed and not secret."""

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="bench-only-not-secret-" + "x" * 40)
KEY_ENCRYPTION_KEYS = env.list(
    "KEY_ENCRYPTION_KEYS", default=["YmVuY2gtb25seS1rZXktZW5jcnlwdGlvbi1rZXktMzI="]
)
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/mcportal_bench")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/14")
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_TASK_ALWAYS_EAGER = True  # issuing the bench credential runs in-process
WHITENOISE_USE_FINDERS = True  # bench_public measures a static file as its ceiling
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default="/tmp/mc-portal-bench-media")  # noqa: S108
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # demo logins, faster load

# What the benchmark is about: the public verifier itself, not its per-address rate limit
# (one address sends every request). None turns off the API's and the verify page's limit.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "verify": None},
}
