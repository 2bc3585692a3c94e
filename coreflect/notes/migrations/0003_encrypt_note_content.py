"""Note content encrypted at rest (coreflect/notes/encryption.py): the free-text columns become
encrypted fields and every existing row is encrypted under the newest key in NOTES_KEYS.

The reflection was a JSON column (jsonb on PostgreSQL); it becomes a text column holding one
token of its JSON text. Reversed, every row is decrypted again and the reflection goes back to
JSON (PostgreSQL casts the text back to jsonb). The rows are rewritten with SQL, batch by batch,
because the models would decrypt on reading and encrypt again on saving.
"""

from django.db import migrations

import coreflect.notes.encryption
from coreflect.notes import encryption

TEXT_FIELDS = (
    "wellbeing",
    "actions_review",
    "challenging",
    "gone_well",
    "caseload_examples",
    "topics_to_return",
)
# table: its encrypted columns (every one NOT NULL).
COLUMNS = {
    "notes_notesversion": [*TEXT_FIELDS, "reflection"],
    "notes_comment": ["text"],
    "notes_action": ["text"],
    "notes_topic": ["text"],
}
LABELS = {
    "wellbeing": "wellbeing check-in",
    "actions_review": "review of last time's actions",
    "challenging": "what has been challenging",
    "gone_well": "what has gone well",
    "caseload_examples": "examples from the caseload",
    "topics_to_return": "topics to return to",
}


def _rewrite(schema_editor, change):
    for table, columns in COLUMNS.items():
        for _ in encryption.rewrite_rows(
            schema_editor.connection, table, columns, change, batch_size=500
        ):
            pass


def _text_of(value):
    """The text of a token under a key in NOTES_KEYS, else None (the value is plain)."""
    try:
        return encryption.decrypt(value)
    except encryption.NotesKeyError:
        return None


def _encrypted(value):
    # A value already a token is left (no plain text decrypts: Fernet tokens carry an HMAC).
    return encryption.encrypt(value) if _text_of(value) is None else None


def encrypt_rows(apps, schema_editor):
    _rewrite(schema_editor, _encrypted)


def decrypt_rows(apps, schema_editor):
    _rewrite(schema_editor, _text_of)


class Migration(migrations.Migration):
    # Atomic (the default): the columns change and every row is encrypted, or nothing is.
    dependencies = [("notes", "0002_default_reflective_model")]

    operations = [
        *(
            migrations.AlterField(
                model_name="notesversion",
                name=name,
                field=coreflect.notes.encryption.EncryptedTextField(
                    blank=True, verbose_name=label
                ),
            )
            for name, label in LABELS.items()
        ),
        migrations.AlterField(
            model_name="notesversion",
            name="reflection",
            field=coreflect.notes.encryption.EncryptedJSONField(blank=True, default=list),
        ),
        migrations.AlterField(
            model_name="comment",
            name="text",
            field=coreflect.notes.encryption.EncryptedTextField(),
        ),
        migrations.AlterField(
            model_name="action",
            name="text",
            field=coreflect.notes.encryption.EncryptedTextField(),
        ),
        migrations.AlterField(
            model_name="topic",
            name="text",
            field=coreflect.notes.encryption.EncryptedTextField(),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]
