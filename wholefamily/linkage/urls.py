from django.urls import path

from wholefamily.linkage import views

app_name = "linkage"

urlpatterns = [
    path("runs/", views.run_list, name="run_list"),
    path("runs/<str:run_id>/", views.run_detail, name="run_detail"),
    path("review/", views.review_list, name="review_list"),
    path("review/<str:profile_id_l>/<str:profile_id_r>/", views.review_detail, name="review_detail"),
    path("persons/<str:person_id>/", views.person_view, name="person_detail"),
]
