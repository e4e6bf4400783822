"""/favicon.ico, which browsers ask for on pages that do not name an icon (such as the Django admin)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    # Resolved per request, not at import: the production static manifest may not exist when URLs load.
    return HttpResponseRedirect(static("build/favicon.svg"))
