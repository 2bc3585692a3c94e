import uuid

from django.db import migrations, models


def give_uids(apps, schema_editor):
    """Every session already recorded gets its calendar UID: in one statement on PostgreSQL
    (millions of rows), in batches elsewhere."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("UPDATE supervision_session SET uid = gen_random_uuid() WHERE uid IS NULL")
        return
    Session = apps.get_model("supervision", "Session")
    while True:
        batch = list(Session.objects.filter(uid__isnull=True).only("pk")[:5000])
        if not batch:
            return
        for session in batch:
            session.uid = uuid.uuid4()
        Session.objects.bulk_update(batch, ["uid"])


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0004_series"),
    ]

    operations = [
        migrations.RunPython(give_uids, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="session",
            name="uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
