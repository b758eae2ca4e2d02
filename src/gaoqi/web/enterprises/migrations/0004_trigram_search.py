"""PostgreSQL: trigram indexes so that searching a name or former name fragment (LIKE '%…%') does not scan
2,000,000 rows. pg_trgm extracts trigrams from Chinese text too (checked on a C.UTF-8 database); a fragment of
fewer than three characters still scans. SQLite (the demo) has no such index and needs none at 20,000."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS enterprise_name_trgm ON enterprises_enterprise USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS enterprise_former_trgm ON enterprises_enterprise USING gin (former_names gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS enterprise_name_trgm", "DROP INDEX IF EXISTS enterprise_former_trgm"]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0003_name_order")]
    operations = [migrations.RunPython(forwards, backwards)]
