"""Rewrite SVG uploads stored before the sanitiser existed (issuer logos, badge images).

Each stored .svg is replaced, under the same name, by what issuers.svg_sanitiser keeps of it;
what was unsafe is listed. Files it cannot parse are left alone (they are still served with the
sandbox policy) and listed. --dry-run only lists.
"""

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError

from credentials.models import ProgrammeVersion
from issuers.models import Issuer
from issuers.svg_sanitiser import NotAnSvg, sanitise_svg


def stored_svgs():
    for issuer in Issuer.objects.exclude(logo=""):
        if issuer.logo.name.lower().endswith(".svg"):
            yield issuer.logo
    for version in ProgrammeVersion.objects.exclude(badge_image=""):
        if version.badge_image.name.lower().endswith(".svg"):
            yield version.badge_image


class Command(BaseCommand):
    help = "Sanitise stored SVG logos and badge images in place (see docs/security.md)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only list what would change")

    def handle(self, *args, dry_run, **options):
        changed = unreadable = 0
        for field_file in stored_svgs():
            storage, name = field_file.storage, field_file.name
            if not storage.exists(name):
                continue
            with storage.open(name, "rb") as file:
                data = file.read()
            try:
                result = sanitise_svg(data)
            except NotAnSvg as error:
                unreadable += 1
                self.stdout.write(f"{name}: not a readable SVG, left as is ({error})")
                continue
            if result.svg == data:
                continue
            changed += 1
            removed = ", ".join(result.refused) or "editor metadata only"
            self.stdout.write(f"{name}: sanitised; removed {removed}")
            if not dry_run:
                storage.delete(name)
                saved = storage.save(name, ContentFile(result.svg))
                if saved != name:  # the database points at the old name
                    raise CommandError(f"{name} was saved as {saved}; fix the reference by hand")
        verb = "would be sanitised" if dry_run else "sanitised"
        self.stdout.write(f"{changed} file(s) {verb}, {unreadable} unreadable.")
