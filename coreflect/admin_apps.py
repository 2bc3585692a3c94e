"""Django's admin on Coreflect's own site (kept apart from coreflect/admin_site.py, which
imports the auth admin: that registers on this site as it loads)."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator

from coreflect.signin.state import used_second_factor


class CoreflectAdminSite(admin.AdminSite):
    """Superusers who used a second factor in this sign-in only: a staff flag, or the
    administrator role, opens nothing here. There is no sign-in page of its own: the service's
    (throttled, audited, with its second factor) is the only way in."""

    site_header = "Coreflect administration"
    site_title = "Coreflect administration"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser and used_second_factor(request))

    @method_decorator(login_not_required)
    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        from django.contrib.auth.views import redirect_to_login

        back = request.GET.get("next") or reverse("admin:index")
        if not request.user.is_authenticated:
            return redirect_to_login(back, reverse("account_login"))
        if request.user.is_superuser and not used_second_factor(request):
            # Prove the second factor (or set one up first) and come back.
            from allauth.mfa.models import Authenticator

            if not Authenticator.objects.filter(user_id=request.user.pk).exists():
                return HttpResponseRedirect(reverse("mfa_index"))
            query = urlencode({"next": back})
            return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")
        raise Http404("No such page")  # anyone else: as if the admin were not there


class CoreflectAdminConfig(AdminConfig):
    """Django's admin on Coreflect's site: superusers only, every change audited."""

    default_site = "coreflect.admin_apps.CoreflectAdminSite"

    def ready(self) -> None:
        super().ready()
        from coreflect.admin_site import register_audited

        register_audited()
