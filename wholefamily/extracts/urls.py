from django.urls import path

from wholefamily.extracts import views

app_name = "extracts"

urlpatterns = [
    path("", views.extracts, name="extracts"),
    path("new/", views.build_extract, name="build_extract"),
    path("<int:pk>/", views.extract, name="extract"),
    path("<int:pk>/extract.csv", views.extract_csv, name="extract_csv"),
]
