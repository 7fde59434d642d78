"""`include("drf_sso_feed.urls")` under a prefix, e.g. `path("sso/", include(...))`:
`<prefix>state/` and `<prefix>jwks/`."""
from django.urls import path

from drf_sso_feed import views

urlpatterns = [
    path("state/", views.session_state, name="drf_sso_feed_state"),
    path("jwks/", views.jwks, name="drf_sso_feed_jwks"),
]
