"""The applications' transition log moves into the platform's one workflow log (core.WorkflowLog: a content
type and object id per row), which every workflow writes; the rows keep their order, times and working days."""

from django.db import migrations

FIELDS = ("action", "source", "target", "actor_id", "at", "comment", "workdays_used")


def _application_type(apps):  # type: ignore[no-untyped-def]
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="certification", model="application")[0]


def to_workflow_log(apps, schema_editor):  # type: ignore[no-untyped-def]
    TransitionLog = apps.get_model("certification", "TransitionLog")
    WorkflowLog = apps.get_model("core", "WorkflowLog")
    kind = _application_type(apps)
    rows = TransitionLog.objects.order_by("id").values("application_id", *FIELDS)
    WorkflowLog.objects.bulk_create(
        [WorkflowLog(workflow="application", content_type=kind, object_id=r.pop("application_id"), **r) for r in rows],
        batch_size=1000,
    )


def from_workflow_log(apps, schema_editor):  # type: ignore[no-untyped-def]
    TransitionLog = apps.get_model("certification", "TransitionLog")
    WorkflowLog = apps.get_model("core", "WorkflowLog")
    rows = WorkflowLog.objects.filter(workflow="application").order_by("id").values("object_id", *FIELDS)
    TransitionLog.objects.bulk_create(
        [TransitionLog(application_id=r.pop("object_id"), **r) for r in rows], batch_size=1000
    )
    WorkflowLog.objects.filter(workflow="application").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0004_objection_status"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(to_workflow_log, from_workflow_log),
        migrations.DeleteModel(name="TransitionLog"),
    ]
