"""Note content encrypted at rest (issue 9, point 4; docs/confidentiality.md, "Notes
encrypted at rest").

Every field holding what the notes say is an `EncryptedTextField` (or `EncryptedJSONField`):
the database holds a Fernet token (AES-128-CBC with an HMAC-SHA256, from the `cryptography`
package) and the model gives back the text, so views, forms and templates are unchanged. The
keys are `settings.NOTES_KEYS`, newest first, never `SECRET_KEY`: new writes use the first, reads
try each (MultiFernet). `coreflect rotate-notes-key` moves every row onto the first key.

A token says nothing of the text but its rough length (Fernet pads to 16 bytes). Empty strings
are encrypted too, so not even which fields were left empty shows. The database cannot compare,
search or sort what it cannot read, so these fields refuse every lookup but `isnull`.
"""

import functools
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import IsNull

# Every Fernet token starts with its version byte, 0x80, which is "gAAAAA" in URL-safe base64.
TOKEN_PREFIX = "gAAAAA"  # noqa: S105 (not a secret: every token's first characters)


class NotesKeyError(ImproperlyConfigured):
    """Note content cannot be encrypted or read with the keys in NOTES_KEYS."""


@functools.lru_cache(maxsize=8)
def _fernets(keys: tuple[str, ...]) -> tuple[Fernet, ...]:
    if not keys:
        raise NotesKeyError(
            "NOTES_KEYS is empty: note content cannot be encrypted or read. In development "
            "run `make install` (it writes var/notes.key once); in production set NOTES_KEYS "
            "(docs/development.md)."
        )
    fernets = []
    for place, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except ValueError:
            # The key itself is never shown: only where it is in the list.
            raise NotesKeyError(
                f"Key {place} of {len(keys)} in NOTES_KEYS is not a Fernet key (32 bytes in "
                "URL-safe base64, as Fernet.generate_key() makes)."
            ) from None
    return tuple(fernets)


def current_keys() -> tuple[str, ...]:
    return tuple(settings.NOTES_KEYS)


def _multi() -> MultiFernet:
    return MultiFernet(list(_fernets(current_keys())))


def encrypt(text: str) -> str:
    """The Fernet token of the text, under the newest key."""
    return _multi().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The text of a token made under any key in NOTES_KEYS, or a NotesKeyError saying so."""
    try:
        return _multi().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError):
        raise NotesKeyError(
            "Note content in the database cannot be read with any key in NOTES_KEYS: the key "
            "it was encrypted with is missing (was an old key removed before `coreflect "
            "rotate-notes-key` finished?), or the value is not a Fernet token."
        ) from None


def is_under_newest_key(token: str) -> bool:
    """Whether the newest key alone reads this token."""
    try:
        _fernets(current_keys())[0].decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def rotate_token(token: str) -> str:
    """The token re-encrypted under the newest key (its original timestamp kept)."""
    try:
        return _multi().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError):
        raise NotesKeyError(
            "A token cannot be read with any key in NOTES_KEYS, so it cannot be rotated: put "
            "back the key it was made with (after the new one) and run the command again."
        ) from None


class EncryptedTextField(models.TextField):
    """A TextField stored as a Fernet token; the model sees plain text."""

    description = "Text, encrypted at rest"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return None if value is None else encrypt(value)

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        return None if value is None else decrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        # A filter on the text would compare a fresh token (a new random IV every time) with
        # the stored one and silently match nothing: refuse it, so the mistake is seen.
        return IsNull if lookup_name == "isnull" else None

    def get_transform(self, lookup_name: str) -> Any:
        return None


class EncryptedJSONField(EncryptedTextField):
    """A JSON value (the reflection's list of answers) stored as one Fernet token of its
    JSON text."""

    description = "JSON, encrypted at rest"
    # For django-stubs: the model attribute is the JSON value (a list of answers), not a str.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def get_prep_value(self, value: Any) -> Any:
        value = models.Field.get_prep_value(self, value)
        return None if value is None else encrypt(json.dumps(value))

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        return None if value is None else json.loads(decrypt(value))

    def to_python(self, value: Any) -> Any:
        return value

    def value_to_string(self, obj: models.Model) -> Any:
        return self.value_from_object(obj)

    def formfield(self, **kwargs: Any) -> Any:
        return models.Field.formfield(self, **{"form_class": forms.JSONField, **kwargs})


# Rotation ------------------------------------------------------------------------------------


@dataclass
class Batch:
    """What one committed batch of `rotate_table` did."""

    table: str
    rows: int
    rotated: int
    already_newest: int
    # Rows the app changed between this batch's read and its write: what the app wrote is
    # already under the newest key, so they are left alone (a re-run finishes them).
    changed_meanwhile: int


def encrypted_columns() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with encrypted fields, and those fields' columns."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = [
            str(field.column)
            for field in model._meta.concrete_fields
            if isinstance(field, EncryptedTextField)
        ]
        if columns:
            found.append((model, columns))
    return found


def rewrite_rows(
    connection: BaseDatabaseWrapper,
    table: str,
    columns: Sequence[str],
    change: Callable[[str], str | None],
    *,
    batch_size: int,
    pk: str = "id",
) -> Iterator[Batch]:
    """Rewrite the columns of every row of a table through `change` (None: leave the value),
    one transaction per batch of rows in primary-key order, yielding after each commit. Raw
    SQL, because the model would decrypt on the way in and encrypt again on the way out.

    A row is written only if none of its changed columns moved since it was read, so a value
    the app saves meanwhile is never overwritten with an older one."""
    quote = connection.ops.quote_name
    selected = ", ".join(quote(column) for column in columns)
    last: Any = None
    while True:
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                after = "" if last is None else f" WHERE {quote(pk)} > %s"
                cursor.execute(
                    f"SELECT {quote(pk)}, {selected} FROM {quote(table)}{after} "  # noqa: S608 (names from models)
                    f"ORDER BY {quote(pk)} LIMIT %s",
                    ([] if last is None else [last]) + [batch_size],
                )
                rows = cursor.fetchall()
                if not rows:
                    return
                batch = Batch(table, len(rows), 0, 0, 0)
                for row in rows:
                    changes = {
                        column: (old, new)
                        for column, old in zip(columns, row[1:], strict=True)
                        if old is not None and (new := change(old)) is not None
                    }
                    if not changes:
                        batch.already_newest += 1
                        continue
                    sets = ", ".join(f"{quote(column)} = %s" for column in changes)
                    guards = " AND ".join(f"{quote(column)} = %s" for column in changes)
                    cursor.execute(
                        f"UPDATE {quote(table)} SET {sets} "  # noqa: S608 (names from models)
                        f"WHERE {quote(pk)} = %s AND {guards}",
                        [new for _, new in changes.values()]
                        + [row[0]]
                        + [old for old, _ in changes.values()],
                    )
                    if cursor.rowcount == 1:
                        batch.rotated += 1
                    else:
                        batch.changed_meanwhile += 1
                last = rows[-1][0]
        yield batch


def _rotated_or_none(token: str) -> str | None:
    return None if is_under_newest_key(token) else rotate_token(token)


def rotate_all(*, batch_size: int, using: str = "default") -> Iterator[Batch]:
    """Every encrypted column of every table moved onto the newest key, batch by batch."""
    from django.db import connections

    connection = connections[using]
    for model, columns in encrypted_columns():
        yield from rewrite_rows(
            connection,
            model._meta.db_table,
            columns,
            _rotated_or_none,
            batch_size=batch_size,
            pk=str(model._meta.pk.column),
        )
