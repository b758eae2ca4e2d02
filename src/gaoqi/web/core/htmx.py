"""Fragments htmx swaps into a page. Opened directly (a bookmarked or pasted URL, a browser without htmx), a
fragment would show a bare piece of HTML: it redirects to the page it belongs to instead."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_vary_headers


def is_htmx(request: HttpRequest) -> bool:
    """An htmx swap (not a history restore, which needs the whole page)."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def fragment_of(page: Callable[..., str]) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Serve the view's fragment to htmx requests only; ``page(**kwargs)`` names the full page's URL. The view
    runs either way, so that what it refuses (out of scope: 404) is refused alike."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)  # first: its scoping (a 404 stays a 404)
            if request.method == "GET" and not request.headers.get("HX-Request") and response.status_code in (200, 286):
                response = redirect(page(**kwargs))
            patch_vary_headers(response, ("HX-Request",))
            return response

        return wrapper

    return decorate
