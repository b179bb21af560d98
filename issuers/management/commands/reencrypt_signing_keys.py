from django.core.management.base import BaseCommand

from issuers.services import reencrypt_private_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt every signing key's private part with the first of KEY_ENCRYPTION_KEYS. "
        "Run after putting a new key first; then the old keys can be removed."
    )

    def handle(self, *args, **options):
        count = reencrypt_private_keys()
        self.stdout.write(f"Re-encrypted {count} signing keys.")
