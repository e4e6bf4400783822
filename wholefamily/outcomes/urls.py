from django.urls import path

from wholefamily.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("report/", views.report_card, name="report"),
    path("measure/", views.measure_outcomes, name="measure"),
    path("families/<int:pk>/distance-travelled/", views.distance_travelled, name="distance"),
    path("families/<int:pk>/distance-travelled/new/", views.record_distance, name="record_distance"),
    path("families/<int:pk>/", views.family_outcomes, name="family"),
]
