from django.urls import path

from wholefamily.identification import views

app_name = "identification"

urlpatterns = [
    path("", views.run_list, name="runs"),
    path("start/", views.start_run, name="start"),
    path("runs/<int:run_id>/", views.cohort, name="cohort"),
    path("runs/<int:run_id>/export.xlsx", views.cohort_export, name="cohort_export"),
    path("runs/<int:run_id>/pseudonymised.csv", views.cohort_pseudonymised, name="cohort_pseudonymised"),
    path("runs/<int:run_id>/need/", views.need_by_area, name="need"),
    path("runs/<int:run_id>/families/<str:family_id>/", views.family_evidence, name="family"),
]
