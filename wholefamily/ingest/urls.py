from django.urls import path

from wholefamily.ingest import views

app_name = "ingest"

urlpatterns = [
    path("", views.version_list, name="version_list"),
    path("upload/", views.upload, name="upload"),
    path("imports/<uuid:run_id>/", views.run_detail, name="run_detail"),
    path("imports/<uuid:run_id>/report.csv", views.run_report_csv, name="run_report_csv"),
    path("versions/<str:version_id>/", views.version_detail, name="version_detail"),
]
