"""The policy moves here from compliance, its row kept: the state takes over the existing
table, which is then renamed (compliance 0004 drops the model from compliance's state only), and
the audit trail's content type moves with it."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    if not content_types.objects.filter(app_label="policy", model="policysettings").exists():
        content_types.objects.filter(app_label="compliance", model="policysettings").update(
            app_label="policy"
        )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("compliance", "0003_stored_results"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PolicySettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('preset', models.CharField(choices=[('protocol', 'Protocol'), ('weekly', 'Weekly')], default='protocol', help_text='The preset these numbers started from.', max_length=32)),
                        ('year_start_month', models.PositiveSmallIntegerField(default=4, help_text='Month the recording year starts (4 = April).', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(12)])),
                        ('quarter_one_to_one', models.PositiveSmallIntegerField(default=2, verbose_name='one-to-ones a quarter')),
                        ('quarter_co_reflection', models.PositiveSmallIntegerField(default=1, verbose_name='co-reflections a quarter')),
                        ('year_total', models.PositiveSmallIntegerField(default=8, verbose_name='sessions a year')),
                        ('long_term_sickness_days', models.PositiveSmallIntegerField(default=28, help_text='Consecutive calendar days of sickness that reduce requirements pro rata.', validators=[django.core.validators.MinValueValidator(1)], verbose_name='long-term sickness threshold (days)')),
                        ('prorating_absence_types', models.JSONField(blank=True, default=list, help_text='Any of: sickness, annual_leave, parental, other.', verbose_name='other absence types that reduce requirements')),
                        ('rounding', models.CharField(choices=[('half_up', 'half up'), ('up', 'up'), ('down', 'down')], default='half_up', max_length=8)),
                        ('location_notice_days', models.PositiveSmallIntegerField(default=7, verbose_name='location notice (calendar days)')),
                        ('one_to_one_minutes', models.PositiveSmallIntegerField(default=60, verbose_name='default one-to-one length (minutes)')),
                        ('co_reflection_minutes', models.PositiveSmallIntegerField(default=180, verbose_name='default co-reflection length (minutes)')),
                        ('version', models.PositiveIntegerField(default=1)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'policy',
                        'verbose_name_plural': 'policy',
                        'db_table': 'compliance_policysettings',
                    },
                ),
            ]
        ),
        migrations.AlterModelTable(name="policysettings", table=None),
        migrations.RunPython(move_content_type, migrations.RunPython.noop),
    ]
