from django.core.management.base import BaseCommand

from issuers.demo import load_demo_issuers


class Command(BaseCommand):
    help = "Create the demo issuers, their staff and signing keys (idempotent; local use only)."

    def handle(self, *args, **options):
        demo = load_demo_issuers()
        self.stdout.write(f"Demo issuers: {', '.join(demo.issuers)}")
        self.stdout.write(f"Demo accounts: {', '.join(demo.users)}")
        self.stdout.write(f"Password for every demo account: {demo.password}")
