"""The upload page's imports, run in the background by Django's tasks framework."""

import logging
import shutil

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.tasks import task
from django.utils import timezone

from coreflect.imports import actions
from coreflect.imports.models import ImportRun

logger = logging.getLogger(__name__)


@task
def run_import(run_id: int) -> None:
    """Import an upload's files, recording progress and the outcome on its run. The files are
    deleted when the run ends, however it ends: the run keeps their names and the outcome."""
    folder = actions.upload_folder(run_id)
    try:
        _run(run_id)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(run_id: int) -> None:
    run = ImportRun.objects.select_related("created_by").get(pk=run_id)
    folder = actions.upload_folder(run_id)
    missing = [name for name in run.file_names if not (folder / name).is_file()]
    if missing:
        _finish(
            run_id,
            ImportRun.Status.FAILED,
            errors=[f"{name}: the uploaded file is no longer there" for name in missing],
        )
        return
    progress = RunProgress(run_id)
    try:
        result = actions.import_folder(
            by=run.created_by, folder=folder, progress=progress, detail={"run": run_id}
        )
    except Exception as error:
        logger.exception("Import %s stopped", run_id)
        _finish(
            run_id,
            ImportRun.Status.FAILED,
            errors=[f"The import stopped unexpectedly ({type(error).__name__}: {error})."],
        )
        raise
    finally:
        progress.close()
    if result.ok:
        _finish(run_id, ImportRun.Status.DONE, summary=result.summary())
    else:
        _finish(
            run_id, ImportRun.Status.FAILED, errors=result.errors, more_errors=result.more_errors
        )


def _finish(
    run_id: int,
    status: ImportRun.Status,
    *,
    errors: list[str] | None = None,
    more_errors: int = 0,
    summary: list[str] | None = None,
) -> None:
    ImportRun.objects.filter(pk=run_id).update(
        status=status,
        errors=errors or [],
        more_errors=more_errors,
        summary=summary or [],
        finished_at=timezone.now(),
    )


class RunProgress:
    """Saves an import's progress on its run, for the run page to poll.

    The import writes in one transaction, and an update made inside it would stay invisible
    until the end; so while writing, PostgreSQL takes the progress on a second connection.
    SQLite allows one writer at a time, so there the count pauses while the rows are written.
    """

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.side: BaseDatabaseWrapper | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not connection.in_atomic_block:
            ImportRun.objects.filter(pk=self.run_id).update(
                status=stage, processed_rows=done, total_rows=total
            )
            return
        if connection.vendor != "postgresql":
            return
        if self.side is None:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        quote = self.side.ops.quote_name
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(ImportRun._meta.db_table)} "  # noqa: S608 (quoted model names)
                "SET status = %s, processed_rows = %s, total_rows = %s WHERE id = %s",
                [stage, done, total, self.run_id],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None
