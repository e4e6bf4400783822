from django.urls import path

from wholefamily.claims import views

app_name = "claims"

urlpatterns = [
    path("", views.claim_list, name="list"),
    path("submission.csv", views.submission_file, name="submission"),
    path("funding/", views.funding, name="funding"),
    path("families/", views.family_list, name="families"),
    path("families/<int:pk>/", views.family_detail, name="family"),
    path("families/<int:pk>/evidence.pdf", views.family_pdf, name="family_pdf"),
    path("<int:pk>/", views.claim_detail, name="detail"),
    path("<int:pk>/evidence.pdf", views.claim_pdf, name="pdf"),
    path("<int:pk>/state/", views.change_state, name="change_state"),
]
