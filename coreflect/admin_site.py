"""The Django admin: for superusers only, every change through it on the audit log (issue 10,
point 6). The administrator role does its work on the app's own pages; a staff flag alone
opens nothing here. (A second factor for superusers comes with sign-in's MFA.)"""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from coreflect.audit.actions import record


def register_audited() -> None:
    """Give every model on the site an admin that audits (called once apps are ready and
    their admin modules loaded): the auth models, and those other apps register (allauth's
    email addresses, second factors, linked accounts)."""
    site = admin.site
    for model, model_admin in ((User, AuditedUserAdmin), (Group, AuditedGroupAdmin)):
        if site.is_registered(model):
            site.unregister(model)
        site.register(model, model_admin)
    for other, registered in list(site._registry.items()):
        if isinstance(registered, Audited):
            continue
        site.unregister(other)
        site.register(
            other, type(f"Audited{type(registered).__name__}", (Audited, type(registered)), {})
        )


class Audited:
    """A ModelAdmin mixin: each addition, change and deletion is also an audit entry."""

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        record(by=request.user, action="admin.add", target=obj, message=str(message))
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        record(by=request.user, action="admin.change", target=obj, message=str(message))
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        for obj in queryset:
            record(by=request.user, action="admin.delete", target=obj, name=str(obj))
        return super().log_deletions(request, queryset)  # type: ignore[misc]


class AuditedUserAdmin(Audited, UserAdmin):
    pass


class AuditedGroupAdmin(Audited, GroupAdmin):
    pass
