"""PolicySettings now belongs to the policy app (its migration 0001 takes over the table)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0003_stored_results"),
        ("policy", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PolicySettings")]
        ),
    ]
