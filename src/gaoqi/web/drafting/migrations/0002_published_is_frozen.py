"""A published policy draft is never edited: the database itself refuses an UPDATE of a row whose status is
``published`` (the service refuses first, in words; this holds against any other writer). ADR 0026."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER drafting_published_frozen BEFORE UPDATE ON drafting_policydraft "
    "WHEN OLD.status = 'published' BEGIN SELECT RAISE(ABORT, 'a published policy version is never edited'); END;",
]
SQLITE_REVERSE = ["DROP TRIGGER drafting_published_frozen;"]
POSTGRES = [
    "CREATE OR REPLACE FUNCTION drafting_published_frozen() RETURNS trigger AS $$ "
    "BEGIN IF OLD.status = 'published' THEN RAISE EXCEPTION 'a published policy version is never edited'; END IF; "
    "RETURN NEW; END; $$ LANGUAGE plpgsql;",
    "CREATE TRIGGER drafting_published_frozen BEFORE UPDATE ON drafting_policydraft "
    "FOR EACH ROW EXECUTE FUNCTION drafting_published_frozen();",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER drafting_published_frozen ON drafting_policydraft;",
    "DROP FUNCTION drafting_published_frozen();",
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    for sql in POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    for sql in POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("drafting", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
