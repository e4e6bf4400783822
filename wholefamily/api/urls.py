from django.urls import path

from wholefamily.api import views

app_name = "api_pages"

urlpatterns = [
    # The API's own address shows its reference (before the API's root, which only answers 404).
    path("api/v1/", views.reference, name="reference"),
    path("account/api-tokens/", views.token_list, name="tokens"),
    path("account/api-tokens/new/", views.token_new, name="token_new"),
    path("account/api-tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("staff/service-accounts/new/", views.service_account_new, name="service_account_new"),
]
