from django.db import migrations, models

# The revision triggers this migration once installed from live code are now frozen in 0003,
# which drops any this migration installed and creates the current ones from literal SQL.


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
    ]
