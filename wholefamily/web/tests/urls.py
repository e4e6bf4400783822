"""The project's URLs plus views that fail on purpose, to test the error pages end to end."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500
from config.urls import urlpatterns as project_urlpatterns


def _fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("broken on purpose")


def _forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def _suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("bad on purpose")


urlpatterns = [
    path("test-errors/500/", _fails),
    path("test-errors/403/", _forbidden),
    path("test-errors/400/", _suspicious),
    *project_urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
