from django.urls import path

from wholefamily.claims import views

app_name = "claims"

urlpatterns = [
    path("", views.claim_list, name="list"),
    path("submission.csv", views.submission_file, name="submission"),
    path("funding/", views.funding, name="funding"),
    path("compute/", views.compute, name="compute"),
    path("<int:pk>/", views.claim_detail, name="detail"),
    path("<int:pk>/evidence.pdf", views.claim_pdf, name="pdf"),
    path("<int:pk>/state/", views.change_state, name="change_state"),
]
