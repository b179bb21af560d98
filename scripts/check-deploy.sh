#!/usr/bin/env bash
# Runs Django's deployment checks against the production settings with throwaway values,
# failing on any warning.
set -euo pipefail
cd "$(dirname "$0")/.."
DJANGO_SETTINGS_MODULE=config.settings.production \
DJANGO_SECRET_KEY="check-deploy-$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')" \
DJANGO_ALLOWED_HOSTS=portal.example.ac.jp \
DATABASE_URL=postgres://postgres@127.0.0.1:5432/mcportal \
CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
KEY_ENCRYPTION_KEYS="$(.venv/bin/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
  .venv/bin/python manage.py check --deploy --fail-level WARNING
