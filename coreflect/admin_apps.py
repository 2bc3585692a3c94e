"""Django's admin on Coreflect's own site (kept apart from coreflect/admin_site.py, which
imports the auth admin: that registers on this site as it loads)."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class CoreflectAdminSite(admin.AdminSite):
    """Superusers only: a staff flag, or the administrator role, opens nothing here."""

    site_header = "Coreflect administration"
    site_title = "Coreflect administration"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)


class CoreflectAdminConfig(AdminConfig):
    """Django's admin on Coreflect's site: superusers only, every change audited."""

    default_site = "coreflect.admin_apps.CoreflectAdminSite"

    def ready(self) -> None:
        super().ready()
        from coreflect.admin_site import register_audited

        register_audited()
