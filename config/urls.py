from django.contrib import admin
from django.urls import include, path

from wholefamily.api.main import api

urlpatterns = [
    path("", include("wholefamily.web.urls")),
    path("", include("wholefamily.web.auth_urls")),
    path("", include("wholefamily.governance.urls")),
    path("jobs/", include("wholefamily.jobs.urls")),
    path("linkage/", include("wholefamily.linkage.urls")),
    path("data/", include("wholefamily.ingest.urls")),
    path("families/", include("wholefamily.cases.urls")),
    path("identification/", include("wholefamily.identification.urls")),
    path("outcomes/", include("wholefamily.outcomes.urls")),
    path("impact/", include("wholefamily.impact.urls")),
    path("claims/", include("wholefamily.claims.urls")),
    path("reports/", include("wholefamily.reporting.urls")),
    path("extracts/", include("wholefamily.extracts.urls")),
    path("commissioning/", include("wholefamily.commissioning.urls")),
    path("", include("wholefamily.api.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "wholefamily.web.views.errors.bad_request"
handler403 = "wholefamily.web.views.errors.permission_denied"
handler404 = "wholefamily.web.views.errors.page_not_found"
handler500 = "wholefamily.web.views.errors.server_error"
