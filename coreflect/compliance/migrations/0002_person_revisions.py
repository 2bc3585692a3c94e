from django.db import migrations, models

from coreflect.compliance import revisions


def install(apps, schema_editor):
    revisions.install(schema_editor)


def uninstall(apps, schema_editor):
    revisions.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0001_initial"),
        ("people", "0001_initial"),
        ("supervision", "0002_counting_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="PersonRevision",
            fields=[
                ("person_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("token", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(install, uninstall),
    ]
