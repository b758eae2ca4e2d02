import datetime

from django.db import migrations, models


def expire_existing(apps, schema_editor):
    """Tokens issued before expiries existed: 90 days from now (the default lifetime), not forever."""
    from django.utils import timezone

    ApiToken = apps.get_model("accounts", "ApiToken")
    ApiToken.objects.update(expires_at=timezone.now() + datetime.timedelta(days=90))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="有效期至"),
        ),
        migrations.RunPython(expire_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken", name="expires_at", field=models.DateTimeField(verbose_name="有效期至")
        ),
        migrations.AddField(
            model_name="apitoken",
            name="created_by",
            field=models.CharField(blank=True, max_length=150, verbose_name="签发人"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_by",
            field=models.CharField(blank=True, max_length=150, verbose_name="吊销人"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="last_used_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="最近使用"),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="签发时间"),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="吊销时间"),
        ),
    ]
