from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The sign-in rate limits count in the database's cache (settings.CACHES), which every
    # worker shares; `migrate` makes its table, so no deployment step can be forgotten.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS coreflect_cache")


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
