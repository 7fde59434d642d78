from django.urls import path
from rest_framework_sso import views

urlpatterns = [
    path("session/", views.obtain_session_token),
    path("authorize/", views.obtain_authorization_token),
]
