"""Settings shared by every environment. Values come from the environment (django-environ)."""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

# Key-encryption keys (Fernet, urlsafe base64 of 32 bytes), newest first: signing keys' private
# parts are stored encrypted with the first and can be read with any (rotation). A database dump
# without this environment value holds no usable private key.
KEY_ENCRYPTION_KEYS = env.list("KEY_ENCRYPTION_KEYS", default=[])

# The public origin used in badge URLs, DIDs and e-mails (no trailing slash).
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# The verifier answers a credential the portal issued, received exactly as stored, from the
# portal's records instead of re-canonicalising it (badges/verification/known.py).
VERIFY_KNOWN_CREDENTIALS = env.bool("VERIFY_KNOWN_CREDENTIALS", default=True)

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "oauth2_provider",
]
LOCAL_APPS = ["frameworks", "issuers", "credentials", "badges"]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "common.body_limits.RequestBodyLimitMiddleware",  # before anything reads a request body
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "common.timezones.ViewerTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "common.csp.CSPMiddleware",  # django-csp, its policy header built once
]

# Every page and the admin: scripts and styles from our own origin only (inline styles are
# tolerated, inline scripts are not: JavaScript lives in static/). Uploaded images are served
# with a stricter policy of their own (issuers.images.harden_image_response), which this
# middleware leaves in place. See docs/security.md.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Embedded default: SQLite next to the code, so a newcomer needs nothing else.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Japanese first; English one click away.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGIN_URL = "admin:login"

# Request bodies: common.body_limits refuses (413) a body over its endpoint's limit before it is
# read; these keep Django's own parsing small (form fields in memory, files over 2.5 MB on disk).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Celery: with no broker configured, tasks run in-process (the embedded default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 10 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Queue names carry an optional prefix so that test runs sharing one Redis never take each
# other's tasks (tests/conftest.py); deployments leave it empty.
CELERY_QUEUE_PREFIX = env("CELERY_QUEUE_PREFIX", default="")
CELERY_TASK_DEFAULT_QUEUE = f"{CELERY_QUEUE_PREFIX}celery"
CELERY_TASK_ROUTES = {
    "badges.sign_batch_chunk": {"queue": f"{CELERY_QUEUE_PREFIX}signing"},
    "badges.issue_award_badges": {"queue": f"{CELERY_QUEUE_PREFIX}signing"},
    "badges.bake_batch_chunk": {"queue": f"{CELERY_QUEUE_PREFIX}baking"},
    "credentials.notify_batch_chunk": {"queue": f"{CELERY_QUEUE_PREFIX}mail"},
    "credentials.send_sign_in_link": {"queue": f"{CELERY_QUEUE_PREFIX}mail"},
    "credentials.send_award_notice": {"queue": f"{CELERY_QUEUE_PREFIX}mail"},
    "issuers.deliver_webhook": {"queue": f"{CELERY_QUEUE_PREFIX}mail"},
}
CELERY_WORKER_QUEUES = ",".join(
    f"{CELERY_QUEUE_PREFIX}{name}" for name in ("celery", "signing", "baking", "mail")
)
# With Redis, a message a killed worker had taken comes back after this many seconds; the
# batch sweep (below) usually re-queues it sooner.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
}
BATCH_SWEEP_SECONDS = env.int("BATCH_SWEEP_SECONDS", default=60)
CELERY_BEAT_SCHEDULE = {
    "sweep-batches": {"task": "badges.sweep_batches", "schedule": BATCH_SWEEP_SECONDS},
    "requeue-unsent-webhooks": {"task": "issuers.requeue_unsent_webhooks", "schedule": 300},
    "purge-sign-in-tokens": {"task": "credentials.purge_sign_in_tokens", "schedule": 86_400},
    # Outside badges counted by recognition of prior learning: revoked or expired ones withdrawn.
    "recheck-outside-achievements": {
        "task": "badges.recheck_outside_achievements",
        "schedule": env.int("RECOGNITION_RECHECK_SECONDS", default=86_400),
    },
}

# Batch issuing (badges.batches): rows per chunk (largest, smallest), chunks in flight per job,
# seconds after which a chunk's task counts as lost, attempts before its rows are failed.
BATCH_CHUNK_SIZE = env.int("BATCH_CHUNK_SIZE", default=500)  # at most; small jobs get ~8 chunks
BATCH_MIN_CHUNK_SIZE = env.int("BATCH_MIN_CHUNK_SIZE", default=50)
BATCH_CHUNKS_IN_FLIGHT = env.int("BATCH_CHUNKS_IN_FLIGHT", default=4)
BATCH_STALL_SECONDS = env.int("BATCH_STALL_SECONDS", default=300)
BATCH_MAX_ATTEMPTS = env.int("BATCH_MAX_ATTEMPTS", default=5)

# Reverse proxies in front of the web processes that append to X-Forwarded-For (issuers.client_ip):
# 0 trusts no header and counts the socket's peer; set it to the real number, never more.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

REST_FRAMEWORK = {
    "NUM_PROXIES": NUM_PROXIES,  # DRF's own throttles agree with issuers.client_ip
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # API clients only (issuers.api_clients): a per-issuer bearer token with scopes.
    "DEFAULT_AUTHENTICATION_CLASSES": ["issuers.authentication.ApiClientAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "issuers.authentication.HasScopes",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["issuers.authentication.ApiClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "api_client": env("API_CLIENT_RATE", default="600/minute"),
        "verify": env("API_VERIFY_RATE", default="30/minute"),
        # Learner sign-in links (credentials.views.learner): per client address, per e-mail.
        "sign_in_address": env("SIGN_IN_ADDRESS_RATE", default="30/hour"),
        "sign_in_email": env("SIGN_IN_EMAIL_RATE", default="5/hour"),
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "common.problems.problem_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MC Portal API",
    "DESCRIPTION": "Japanese Micro-credential Framework credentials as Open Badges 2.0 and 3.0.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI from our own static files (drf-spectacular-sidecar): no CDN, script-src 'self'.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.document_not_acceptable",
    ],
}

EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="MC Portal <noreply@localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(asctime)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"level": "INFO", "handlers": ["console"]},
}

# The 1EdTech Open Badges 3.0 API's OAuth 2.0 (badges/obapi, docs/wallets.md): authorisation
# code with PKCE S256 only, refresh tokens rotated, client secrets stored hashed.
OB_API_SCOPE = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
OAUTH2_PROVIDER = {
    "SCOPES": {
        OB_API_SCOPE + "credential.readonly": "Read your Open Badges credentials",
        OB_API_SCOPE + "profile.readonly": "Read your profile",
    },
    "DEFAULT_SCOPES": [OB_API_SCOPE + "credential.readonly"],
    "PKCE_REQUIRED": True,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 60 * 60 * 24 * 90,
    "ROTATE_REFRESH_TOKEN": True,
    # The OAuth 2.0 Security BCP (RFC 9700) throughout: no implicit or password grant, S256
    # only, tokens only in headers, `iss` in the response, tokens stored hashed, a replayed
    # refresh token revokes its family, https redirect URIs only.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
