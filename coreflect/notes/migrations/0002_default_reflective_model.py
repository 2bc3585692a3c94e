"""The default reflective model: What? So what? Now what? (after Rolfe et al., in our words)."""

from django.db import migrations

WHAT_SO_WHAT_NOW_WHAT = {
    "name": "What? So what? Now what?",
    "summary": "Three questions to walk through something that happened: what it was, what it "
    "meant, and what to do with it.",
    "prompts": [
        {
            "heading": "What?",
            "prompt": "What happened? What was going on around it, and what did you hope "
            "would come of it?",
        },
        {
            "heading": "So what?",
            "prompt": "What did you do, and how did it sit with the peer support values? How "
            "did it feel, what did it change, and what else could you have done?",
        },
        {
            "heading": "Now what?",
            "prompt": "What are you taking from this, and how will you use it next time?",
        },
    ],
    "is_default": True,
}


def add_default(apps, schema_editor):
    ReflectiveModel = apps.get_model("notes", "ReflectiveModel")
    ReflectiveModel.objects.get_or_create(
        name=WHAT_SO_WHAT_NOW_WHAT["name"], defaults=WHAT_SO_WHAT_NOW_WHAT
    )


class Migration(migrations.Migration):
    dependencies = [("notes", "0001_initial")]

    operations = [migrations.RunPython(add_default, migrations.RunPython.noop)]
