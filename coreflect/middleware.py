from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers


class ExplainMethodNotAllowed:
    """Give a bare 405 (a GET of an address that only a form's button may use, as after
    `require_POST`) the service's own page, instead of the browser's error screen."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.content or request.method == "HEAD":
            return response
        explained = render(request, "405.html", status=405)
        explained["Allow"] = response["Allow"]
        return explained


class NoStore:
    """Tell browsers and proxies to keep no copy of any page or download: nearly all of them
    name people, and a copy on disk outlives the sign-in. Static assets never reach this (the
    whitenoise middleware before it answers them), so they keep their caching headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
