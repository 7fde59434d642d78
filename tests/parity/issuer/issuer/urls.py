from django.conf import settings
from django.urls import include, path
from rest_framework_sso import views

urlpatterns = [
    path("session/", views.obtain_session_token),
    path("authorize/", views.obtain_authorization_token),
    # The signed session-state and JWKS documents (feed/ in this repository).
    path("sso/", include("drf_sso_feed.urls")),
]

if settings.TEST_VIEWS:
    from issuer import test_views

    urlpatterns += [
        path("test/me/", test_views.me),
        path("test/logout/", test_views.logout),
        path("test/deactivate/", test_views.deactivate),
    ]
