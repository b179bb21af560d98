"""Load the framework data files (frameworks/data/*.json) with the loader service.

The loader runs on this migration's historical models. Later changes to the data files are
applied with `manage.py load_frameworks` (idempotent), or a later migration like this one.
"""

from django.db import migrations


def load_frameworks(apps, schema_editor):
    from frameworks.services import sync_frameworks_from_data

    sync_frameworks_from_data(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0001_initial")]

    operations = [migrations.RunPython(load_frameworks, migrations.RunPython.noop)]
