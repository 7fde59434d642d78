"""Settings of the feed: the `DRF_SSO_FEED` dict, over these defaults (seconds)."""
from django.conf import settings

DEFAULTS = {
    # Issuer of the documents (`iss`, and the PRIVATE_KEYS entry that signs them);
    # default: REST_FRAMEWORK_SSO["IDENTITY"].
    "ISSUER": None,
    # How long an edge may use a document after it was built (`max_age`).
    "MAX_AGE": 60,
    # How long the views serve one built document before building the next.
    "CACHE_SECONDS": 2,
    # Added to the token lifetime bound: time between a view's check and the token it signs,
    # clock differences between servers and edges.
    "MARGIN": 60,
    # When set, the views answer only requests with "Authorization: Bearer <SECRET>".
    "SECRET": None,
    # SQLite and PostgreSQL: the database builds the session rows' JSON itself (False: the ORM).
    "FAST_SQL": True,
}


def feed_setting(name):
    return {**DEFAULTS, **getattr(settings, "DRF_SSO_FEED", {})}[name]
