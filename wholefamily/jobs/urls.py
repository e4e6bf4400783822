from django.urls import path

from wholefamily.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("check-data-store/", views.start_check_data_store, name="start_check_data_store"),
    path("<uuid:job_id>/", views.job_detail, name="job_detail"),
    path("<uuid:job_id>/progress.json", views.job_progress, name="job_progress"),
    path("<uuid:job_id>/cancel/", views.job_cancel, name="job_cancel"),
]
