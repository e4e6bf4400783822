from django.urls import path

from wholefamily.reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.index, name="index"),
    path("report-card/pathway/", views.pathway_card, name="pathway_card"),
    path("report-card/key-worker/", views.key_worker_card, name="key_worker_card"),
    path("monitoring/", views.monitoring, name="monitoring"),
]
