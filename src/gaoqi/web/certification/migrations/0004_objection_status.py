"""An objection's handling becomes a status of the objection workflow (pending → upheld | dismissed), moved by
core.workflow like every other status; ``Objection.upheld`` is now read from it."""

from django.db import migrations, models

FORWARD = {None: "pending", True: "upheld", False: "dismissed"}


def upheld_to_status(apps, schema_editor):  # type: ignore[no-untyped-def]
    Objection = apps.get_model("certification", "Objection")
    for upheld, status in FORWARD.items():
        rows = (
            Objection.objects.filter(upheld__isnull=True) if upheld is None else Objection.objects.filter(upheld=upheld)
        )
        rows.update(status=status)


def status_to_upheld(apps, schema_editor):  # type: ignore[no-untyped-def]
    Objection = apps.get_model("certification", "Objection")
    for upheld, status in FORWARD.items():
        Objection.objects.filter(status=status).update(upheld=upheld)


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0003_name_change_completed_on"),
    ]

    operations = [
        migrations.AddField(
            model_name="objection",
            name="status",
            field=models.CharField(
                choices=[("pending", "待处理"), ("upheld", "成立"), ("dismissed", "不成立")],
                default="pending",
                max_length=10,
                verbose_name="处理状态",
            ),
        ),
        migrations.RunPython(upheld_to_status, status_to_upheld),
        migrations.RemoveField(model_name="objection", name="upheld"),
    ]
