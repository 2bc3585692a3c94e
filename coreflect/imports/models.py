from django.conf import settings
from django.db import models
from django.db.models import Q


class ImportRun(models.Model):
    """One upload of import files and how far its background import has got."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        VALIDATING = "validating", "Validating"
        WRITING = "writing", "Writing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_names = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # Rows checked (while validating) or written (while writing) so far, of total_rows.
    processed_rows = models.PositiveIntegerField(default=0)
    total_rows = models.PositiveIntegerField(default=0)
    # The first problems (rules.PROBLEMS_KEPT) as "file:line: message" when the import
    # failed, and how many more there were.
    errors = models.JSONField(default=list, blank=True)
    more_errors = models.PositiveIntegerField(default=0)
    # "file: N rows (c created, u updated, n unchanged)" for each file when it is done.
    summary = models.JSONField(default=list, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["done", "failed"], finished_at__isnull=False)
                | Q(~Q(status__in=["done", "failed"]), finished_at__isnull=True),
                name="import_run_finished_when_done",
            )
        ]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.PENDING, self.Status.VALIDATING, self.Status.WRITING}

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.more_errors

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)

    @property
    def progress(self) -> str:
        """Where the import has got, in words: "Validating… 12,000 of 1,040,000 rows"."""
        text = f"{self.get_status_display()}…"
        if self.total_rows:
            text += (
                f" {min(self.processed_rows, self.total_rows):,} of {self.total_rows:,} rows "
                f"({self.percent}%)"
            )
        return text
