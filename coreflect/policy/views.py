from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from coreflect.authorization import Permission, has_permission
from coreflect.policy import actions
from coreflect.policy.forms import PolicyForm
from coreflect.policy.models import PolicySettings


def policy_page(request: HttpRequest) -> HttpResponse:
    if not has_permission(request.user, Permission.CHANGE_POLICY):
        raise Http404("No such page")
    policy = PolicySettings.objects.current()
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_policy(
                by=request.user,  # type: ignore[arg-type]
                policy=policy,
                version=form.cleaned_data["version"],
                changes=form.changes(),
            )
        except actions.StalePolicy:
            messages.error(
                request,
                "Someone else changed the policy since you opened it. Your changes were not "
                "saved; the page now shows the current policy.",
            )
        else:
            messages.success(request, "Policy saved.")
        return redirect("policy:settings")
    return render(request, "policy/policy.html", {"form": form, "policy": policy})
