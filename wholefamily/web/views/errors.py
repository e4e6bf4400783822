"""Error pages (handler400/403/404/500 in config/urls.py, and settings.CSRF_FAILURE_VIEW).

They render without the request's context: no session, no user and no database are needed, so they
still show when the database is down. If even the template fails, a plain page is sent instead.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)

_FALLBACK = (
    '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{title}</title></head>'
    "<body><main><h1>{title}</h1><p>Try again later.</p></main></body></html>"
)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page("400.html", "Sorry, there is a problem with your request", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page("403.html", "You do not have permission to see this page", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: most often a form left open until the session ended."""
    return _error_page("403_csrf.html", "Your form was not sent", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page("404.html", "Page not found", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error_page("500.html", "Sorry, there is a problem with the service", status=500)


def _error_page(template_name: str, title: str, *, status: int) -> HttpResponse:
    try:
        content = loader.get_template(f"web/errors/{template_name}").render({"title": title})
    except Exception:
        # The error page itself failed (missing static manifest, broken template): never answer with a traceback.
        logger.exception("Could not render the %s error page", status)
        content = _FALLBACK.format(title=title)
    return HttpResponse(content, status=status)
