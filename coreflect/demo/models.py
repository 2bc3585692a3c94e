from django.db import models


class DemoBuild(models.Model):
    """The last `coreflect demo-data` build: the highest id in each table it guards, so a row
    added since shows as not the demo's (coreflect/demo/guard.py). One row at most."""

    built_at = models.DateTimeField()
    as_of = models.DateField()
    last_ids = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"Demo built {self.built_at:%Y-%m-%d %H:%M} as of {self.as_of}"
