"""Note content encrypted at rest: what the database holds, reading with the wrong key, key
rotation stopped part-way and run again, and the migration that encrypts existing rows."""

import importlib
import json
from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from coreflect.notes import access, actions, encryption
from coreflect.notes.models import TEXT_FIELDS, Action, Comment, NotesVersion, Topic
from coreflect.notes.tests.conftest import write_notes

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
MARK = "zq-secret-marker"
MIGRATION = importlib.import_module("coreflect.notes.migrations.0003_encrypt_note_content")


@pytest.fixture
def old_key(settings):
    settings.NOTES_KEYS = [OLD_KEY]
    return settings


def raw(table: str, column: str, pk: int) -> str:
    """The column as the database holds it, past the model."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])  # noqa: S608
        return cursor.fetchone()[0]


def written(sam, alice, held):
    """Notes with the marker in every free-text field, the reflection, a comment, an action and
    a topic; the wellbeing check-in left empty."""
    notes = write_notes(
        sam,
        held,
        **{name: f"{MARK} {name}" for name in TEXT_FIELDS if name != "wellbeing"},
        wellbeing="",
        reflection=[f"{MARK} what", f"{MARK} so what"],
        values=["respect"],
    )
    seat = access.seat_at(sam.user, held.pk)
    action = actions.add_action(
        by=sam.user, seat=seat, version=notes.version, text=f"{MARK} action", owner="both", due=None
    )
    topic = actions.add_topic(by=sam.user, seat=seat, text=f"{MARK} topic")
    version = notes.versions.get()
    comment = Comment.objects.create(
        version=version, author=alice, text=f"{MARK} comment", created_at=timezone.now()
    )
    return version, comment, action, topic


# At rest -------------------------------------------------------------------------------------


def test_the_database_holds_fernet_tokens_and_no_note_text(sam, alice, held):
    version, comment, action, topic = written(sam, alice, held)
    columns = [
        *(("notes_notesversion", name, version.pk) for name in TEXT_FIELDS),
        ("notes_notesversion", "reflection", version.pk),
        ("notes_comment", "text", comment.pk),
        ("notes_action", "text", action.pk),
        ("notes_topic", "text", topic.pk),
    ]
    for table, column, pk in columns:
        stored = raw(table, column, pk)
        assert MARK not in stored, (table, column)
        assert stored.startswith(encryption.TOKEN_PREFIX), (table, column)
        # The setting's key reads it (or raises InvalidToken): a Fernet token, not an encoding.
        Fernet(encryption.current_keys()[0]).decrypt(stored.encode())
    # The model gives the text back as it was written.
    version.refresh_from_db()
    assert version.challenging == f"{MARK} challenging"
    assert version.reflection == [f"{MARK} what", f"{MARK} so what"]
    assert Comment.objects.get(pk=comment.pk).text == f"{MARK} comment"
    assert Action.objects.get(pk=action.pk).text == f"{MARK} action"
    assert Topic.objects.get(pk=topic.pk).text == f"{MARK} topic"


def test_an_empty_field_is_encrypted_too_so_which_are_empty_does_not_show(sam, alice, held):
    version, *_ = written(sam, alice, held)
    stored = raw("notes_notesversion", "wellbeing", version.pk)
    assert stored.startswith(encryption.TOKEN_PREFIX)
    version.refresh_from_db()
    assert version.wellbeing == ""


def test_the_same_text_saved_twice_gives_two_different_tokens(sam, alice, held):
    version, *_ = written(sam, alice, held)
    version.gone_well = version.challenging = "the same words"
    version.save(update_fields=["gone_well", "challenging"])
    assert raw("notes_notesversion", "gone_well", version.pk) != raw(
        "notes_notesversion", "challenging", version.pk
    )


def test_a_filter_on_encrypted_text_is_refused_rather_than_matching_nothing(sam, alice, held):
    written(sam, alice, held)
    with pytest.raises(FieldError, match="Unsupported lookup"):
        list(Comment.objects.filter(text=f"{MARK} comment"))
    with pytest.raises(FieldError, match="Unsupported lookup"):
        list(NotesVersion.objects.filter(challenging__icontains=MARK))
    assert NotesVersion.objects.filter(challenging__isnull=False).count() == 1


# Keys ----------------------------------------------------------------------------------------


def test_reading_with_the_wrong_key_is_a_clear_error_not_garbage(old_key, sam, alice, held):
    version, *_ = written(sam, alice, held)
    old_key.NOTES_KEYS = [NEW_KEY]
    with pytest.raises(encryption.NotesKeyError, match="cannot be read with any key"):
        NotesVersion.objects.get(pk=version.pk)


def test_with_no_key_at_all_note_content_is_neither_written_nor_read(settings, sam, alice, held):
    settings.NOTES_KEYS = []
    with pytest.raises(encryption.NotesKeyError, match="NOTES_KEYS is empty"):
        written(sam, alice, held)


def test_a_malformed_key_is_named_by_its_place_never_shown(settings):
    settings.NOTES_KEYS = [NEW_KEY, "not-a-fernet-key"]
    with pytest.raises(encryption.NotesKeyError, match="Key 2 of 2") as refused:
        encryption.encrypt("x")
    assert "not-a-fernet-key" not in str(refused.value)


def test_the_newest_key_writes_and_every_key_reads(old_key, sam, alice, held):
    version, *_ = written(sam, alice, held)
    old_key.NOTES_KEYS = [NEW_KEY, OLD_KEY]
    version.refresh_from_db()
    assert version.topics_to_return == f"{MARK} topics_to_return"
    version.save(update_fields=["topics_to_return"])
    stored = raw("notes_notesversion", "topics_to_return", version.pk)
    assert Fernet(NEW_KEY).decrypt(stored.encode()) == f"{MARK} topics_to_return".encode()
    # Not rotated yet: the other fields are still under the old key.
    with pytest.raises(InvalidToken):
        Fernet(NEW_KEY).decrypt(raw("notes_notesversion", "gone_well", version.pk).encode())


# Rotation ------------------------------------------------------------------------------------


def rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate-notes-key", *args, stdout=out)
    return out.getvalue()


def many(sam, held, count: int) -> dict[int, tuple[str, list[str]]]:
    """`count` versions of one set of notes, each with its own words: {pk: (text, answers)}."""
    notes = write_notes(sam, held)
    now = timezone.now()
    NotesVersion.objects.bulk_create(
        NotesVersion(
            notes=notes,
            number=number,
            kind="draft",
            author=sam,
            created_at=now,
            updated_at=now,
            challenging=f"row {number} ünïcode",
            reflection=[f"answer {number}"],
        )
        for number in range(2, count + 2)
    )
    return {v.pk: (v.challenging, v.reflection) for v in NotesVersion.objects.filter(number__gt=1)}


def under(key: str, table: str, column: str) -> list[bool]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" ORDER BY id')  # noqa: S608
        tokens = [row[0] for row in cursor.fetchall()]
    readable = []
    for token in tokens:
        try:
            Fernet(key).decrypt(token.encode())
            readable.append(True)
        except InvalidToken:
            readable.append(False)
    return readable


def test_rotation_stopped_part_way_and_run_again_loses_nothing(old_key, sam, held, monkeypatch):
    expected = many(sam, held, 300)
    old_key.NOTES_KEYS = [NEW_KEY, OLD_KEY]
    real = encryption.rotate_token
    calls = 0

    def fails_after_a_while(token: str) -> str:
        nonlocal calls
        calls += 1
        if calls > 7 * 110:  # seven encrypted columns a version: part-way into the fifth batch
            raise RuntimeError("the server went away")
        return real(token)

    monkeypatch.setattr(encryption, "rotate_token", fails_after_a_while)
    with pytest.raises(RuntimeError):
        rotate("--batch-size", "25")
    # The four batches before it were committed; the fifth was rolled back whole.
    done = under(NEW_KEY, "notes_notesversion", "challenging")
    assert done == [True] * 100 + [False] * 201

    monkeypatch.setattr(encryption, "rotate_token", real)
    out = rotate("--batch-size", "25")
    assert "notes_notesversion: 301 rows, 201 re-encrypted, 100 already under it" in out
    assert "may now be removed" in out

    # The old key removed: every row reads with the new key alone, and says what it said.
    old_key.NOTES_KEYS = [NEW_KEY]
    for column in (*TEXT_FIELDS, "reflection"):
        assert all(under(NEW_KEY, "notes_notesversion", column)), column
    got = {v.pk: (v.challenging, v.reflection) for v in NotesVersion.objects.filter(number__gt=1)}
    assert got == expected


def test_rotation_run_again_when_finished_changes_nothing(old_key, sam, alice, held):
    written(sam, alice, held)
    old_key.NOTES_KEYS = [NEW_KEY, OLD_KEY]
    rotate()
    before = raw("notes_comment", "text", Comment.objects.get().pk)
    out = rotate()
    assert "notes_comment: 1 rows, 0 re-encrypted, 1 already under it" in out
    assert raw("notes_comment", "text", Comment.objects.get().pk) == before


def test_rotation_covers_every_encrypted_table(old_key, sam, alice, held):
    written(sam, alice, held)
    old_key.NOTES_KEYS = [NEW_KEY, OLD_KEY]
    out = rotate()
    for table in ("notes_notesversion", "notes_comment", "notes_action", "notes_topic"):
        assert f"{table}: " in out
        assert all(under(NEW_KEY, table, "text" if table != "notes_notesversion" else "gone_well"))


def test_a_row_the_app_saves_during_rotation_keeps_what_the_app_wrote(
    old_key, sam, alice, held, monkeypatch
):
    version, *_ = written(sam, alice, held)
    old_key.NOTES_KEYS = [NEW_KEY, OLD_KEY]
    real = encryption.rotate_token

    def app_saves_meanwhile(token: str) -> str:
        NotesVersion.objects.filter(pk=version.pk).update(gone_well="written meanwhile")
        return real(token)

    monkeypatch.setattr(encryption, "rotate_token", app_saves_meanwhile)
    with pytest.raises(CommandError, match="changed while this ran"):
        rotate()
    assert NotesVersion.objects.get(pk=version.pk).gone_well == "written meanwhile"


def test_rotation_with_a_key_missing_stops_with_the_reason(old_key, sam, alice, held):
    written(sam, alice, held)
    old_key.NOTES_KEYS = [NEW_KEY]  # the old key removed too soon
    with pytest.raises(CommandError, match="put back the key"):
        rotate()


# The migration -------------------------------------------------------------------------------


class Editor:
    connection = connection


def test_the_migration_encrypts_rows_written_before_it_and_reverses(sam, alice, held):
    version, comment, *_ = written(sam, alice, held)
    MIGRATION.decrypt_rows(None, Editor())
    # Before the migration, as it found them: plain text, the reflection as JSON.
    assert raw("notes_comment", "text", comment.pk) == f"{MARK} comment"
    assert raw("notes_notesversion", "wellbeing", version.pk) == ""
    assert json.loads(raw("notes_notesversion", "reflection", version.pk)) == [
        f"{MARK} what",
        f"{MARK} so what",
    ]
    MIGRATION.encrypt_rows(None, Editor())
    assert raw("notes_comment", "text", comment.pk).startswith(encryption.TOKEN_PREFIX)
    assert MARK not in raw("notes_notesversion", "reflection", version.pk)
    # Run twice (stopped part-way and started again), nothing is encrypted twice.
    MIGRATION.encrypt_rows(None, Editor())
    version.refresh_from_db()
    assert version.reflection == [f"{MARK} what", f"{MARK} so what"]
    assert version.wellbeing == ""
    assert Comment.objects.get(pk=comment.pk).text == f"{MARK} comment"


def test_the_encrypted_fields_are_every_free_text_field_of_the_notes():
    found = {
        (model.__name__, column)
        for model, columns in encryption.encrypted_columns()
        for column in columns
    }
    assert {("NotesVersion", name) for name in (*TEXT_FIELDS, "reflection")} <= found
    assert {("Comment", "text"), ("Action", "text"), ("Topic", "text")} <= found


def test_the_key_is_not_the_secret_key(settings):
    assert settings.NOTES_KEYS
    assert settings.SECRET_KEY not in settings.NOTES_KEYS
