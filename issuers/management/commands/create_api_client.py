"""Create an API client for an issuer and print its bearer token, once, on the last line."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from issuers.api_clients import SCOPES, create_api_client
from issuers.models import Issuer


class Command(BaseCommand):
    help = "Create an API client for an issuer; the bearer token is printed alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--issuer", required=True, help="issuer slug")
        parser.add_argument("--scopes", nargs="+", required=True, choices=SCOPES)
        parser.add_argument("--name", default="api-client", help="a label, e.g. moodle")

    def handle(self, *args, issuer, scopes, name, **options):
        try:
            organisation = Issuer.objects.get(slug=issuer)
        except Issuer.DoesNotExist as error:
            raise CommandError(f"No issuer with slug {issuer!r}.") from error
        try:
            client, token = create_api_client(
                actor=None, issuer=organisation, name=name, scopes=scopes
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            f"Created API client {client.name!r} for {organisation.slug} "
            f"(prefix {client.prefix}, scopes {' '.join(client.scopes)}). "
            "The token is shown only now; store it in the LMS."
        )
        # Alone on the last line of stdout, so that scripts can take it with `tail -n 1`.
        self.stdout.write(token)
