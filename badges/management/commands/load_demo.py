"""Loads the demo data set: the frameworks, two issuers with staff, programmes, learners,
assessments and awards. Idempotent: a second run changes nothing.

It lives in `badges`, the app at the top of the import chain, because it seeds every app."""

from credentials.demo import load_demo_credentials
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from frameworks.services import sync_frameworks_from_data
from issuers.demo import DEMO_PASSWORD, load_demo_issuers

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "mc-portal-demo"  # noqa: S105 - a printed demo login, never in production


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the logins."

    @transaction.atomic
    def handle(self, *args, **options):
        sync_frameworks_from_data()
        admin = self.ensure_admin()
        issuers = load_demo_issuers()
        load_demo_credentials(issuers)
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
        self.stdout.write(
            f"Admin login:  {admin.get_username()} / {ADMIN_PASSWORD}  (http://127.0.0.1:8000/admin/)"
        )
        self.stdout.write(f"Staff logins: see issuers/demo.py; each password is {DEMO_PASSWORD}")

    def ensure_admin(self):
        user_model = get_user_model()
        admin, created = user_model.objects.get_or_create(
            username=ADMIN_USERNAME,
            defaults={"is_staff": True, "is_superuser": True, "email": "admin@example.org"},
        )
        if created:
            admin.set_password(ADMIN_PASSWORD)
            admin.save(update_fields=["password"])
        return admin
