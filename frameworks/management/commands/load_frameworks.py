"""`manage.py load_frameworks [PATH ...]`: load or re-sync framework data files (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from frameworks.data_schema import FrameworkDataError
from frameworks.services import load_framework_file, sync_frameworks_from_data


class Command(BaseCommand):
    help = "Load the framework data files (default: every file in frameworks/data/)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="Data files to load instead of all of them.")

    def handle(self, *args, paths, **options):
        try:
            if paths:
                results = [load_framework_file(path) for path in paths]
            else:
                results = sync_frameworks_from_data()
        except (FrameworkDataError, OSError) as error:
            raise CommandError(str(error)) from error
        for result in results:
            self.stdout.write(
                f"{result.slug} {result.version}: {result.created} created, "
                f"{result.updated} updated, {result.deleted} deleted, "
                f"{result.unchanged} unchanged"
            )
