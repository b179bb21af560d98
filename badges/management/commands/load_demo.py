"""Loads the demo data set: the frameworks, two issuers with staff and keys, programmes,
learners, assessments and awards, and a QA body endorsing two programmes. Idempotent: a
second run changes nothing.

It lives in `badges`, the app at the top of the import chain, because it seeds every app."""

from django.core.management.base import BaseCommand
from django.db import transaction

from badges.endorsements import load_demo_endorsements
from credentials.demo import load_demo_credentials
from frameworks.services import sync_frameworks_from_data
from issuers.demo import DEMO_ADMIN, DEMO_PASSWORD, load_demo_issuers


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    @transaction.atomic
    def handle(self, *args, base_url, **options):
        sync_frameworks_from_data()
        issuers = load_demo_issuers()
        credentials = load_demo_credentials(issuers)
        endorsements = load_demo_endorsements()
        staff = sorted(name for name in issuers.users if name != DEMO_ADMIN)
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
        self.stdout.write(f"  issuers: {', '.join(sorted(issuers.issuers))}")
        self.stdout.write(
            f"  {len(credentials.programmes)} programmes, {len(credentials.learners)} learners"
        )
        self.stdout.write(f"  {len(endorsements)} endorsements by dsqa")
        self.stdout.write(f"Admin login:  {DEMO_ADMIN} / {DEMO_PASSWORD}   {base_url}/admin/")
        self.stdout.write(f"Staff logins: {', '.join(staff)} (password {DEMO_PASSWORD})")
