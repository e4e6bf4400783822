from django.urls import path

from wholefamily.linkage import views

app_name = "linkage"

urlpatterns = [
    path("runs/", views.run_list, name="run_list"),
]
