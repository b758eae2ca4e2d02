"""The roster of units.yaml, loaded once so that a fresh database has its units (later edits: units_load)."""

from django.db import migrations


def load(apps, schema_editor):
    from gaoqi.web.units.services import units_sync

    units_sync(apps.get_model("units", "Unit"))


class Migration(migrations.Migration):
    dependencies = [("units", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
