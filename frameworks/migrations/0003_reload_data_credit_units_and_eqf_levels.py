"""Re-load the framework data files: the credit systems gained their unit names and the JEQF
levels 5–8 their indicative EQF level and QF-EHEA cycle (the crosswalk export uses both).
The loader is idempotent; `manage.py load_frameworks` does the same."""

from django.db import migrations


def reload_frameworks(apps, schema_editor):
    from frameworks.services import sync_frameworks_from_data

    sync_frameworks_from_data(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0002_load_framework_data")]

    operations = [migrations.RunPython(reload_frameworks, migrations.RunPython.noop)]
