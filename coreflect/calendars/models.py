from django.db import models

from coreflect.people.models import Person


class CalendarSubscription(models.Model):
    """A person's private calendar address. Only a hash of its token is kept: the address is
    shown once, when it is made; regenerating replaces it, revoking deletes the row."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="calendar_subscription"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Calendar subscription of {self.person}"
