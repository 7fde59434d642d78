from django.db import migrations, models
from django.db.models import F


def seed(apps, schema_editor):
    # Sessions re-issued before this app was installed: last_issued_at later than the row's
    # creation (a re-issue within the creating second is not visible in the data).
    SessionToken = apps.get_model("rest_framework_sso", "SessionToken")
    ReissuedSession = apps.get_model("drf_sso_feed", "ReissuedSession")
    rows = SessionToken.objects.filter(last_issued_at__gt=F("created_at")).values_list("pk", "last_issued_at")
    ReissuedSession.objects.bulk_create(
        [ReissuedSession(session_id=pk, reissued_at=at) for pk, at in rows.iterator(chunk_size=2000)],
        batch_size=2000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = [("rest_framework_sso", "0007_sessiontoken_last_issued_at_index")]

    operations = [
        migrations.CreateModel(
            name="ReissuedSession",
            fields=[
                ("session_id", models.UUIDField(primary_key=True, serialize=False)),
                ("reissued_at", models.DateTimeField(db_index=True)),
            ],
        ),
        migrations.CreateModel(
            name="DeletedSession",
            fields=[
                ("session_id", models.UUIDField(primary_key=True, serialize=False)),
                ("user_id", models.BigIntegerField()),
                ("deleted_at", models.DateTimeField(db_index=True)),
            ],
        ),
        migrations.CreateModel(
            name="DeletedUser",
            fields=[
                ("user_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("deleted_at", models.DateTimeField(db_index=True)),
            ],
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
