"""`GET` views of the two documents: one document per kind is built at most every
`CACHE_SECONDS` per process and served with a strong `ETag` (a matching `If-None-Match`
gets `304`), `Content-Type: application/jose` (RFC 7515 §9.2.1) and `Cache-Control`
`max-age=CACHE_SECONDS`. With `SECRET` set, only `Authorization: Bearer <SECRET>` gets them:
the session state names revoked sessions and inactive users."""
import hashlib
import hmac
import threading
import time

from django.http import HttpResponse, HttpResponseNotAllowed

from drf_sso_feed.conf import feed_setting
from drf_sso_feed.documents import build_jwks_document, build_state_document

_BUILDERS = {"state": build_state_document, "jwks": build_jwks_document}
_cache = {}
_lock = threading.Lock()


def _document(kind):
    """(document bytes, ETag) of `kind`, built again once CACHE_SECONDS have passed."""
    ttl = float(feed_setting("CACHE_SECONDS"))
    with _lock:
        hit = _cache.get(kind)
        if hit is not None and time.monotonic() - hit[0] < ttl:
            return hit[1], hit[2]
        doc = _BUILDERS[kind]().encode("ascii")
        etag = '"' + hashlib.sha256(doc).hexdigest()[:32] + '"'
        _cache[kind] = (time.monotonic(), doc, etag)
        return doc, etag


def clear_cache():
    """Forgets the built documents (tests; after a settings change)."""
    with _lock:
        _cache.clear()


def _authorized(request):
    secret = feed_setting("SECRET")
    if not secret:
        return True
    given = request.META.get("HTTP_AUTHORIZATION", "")
    return hmac.compare_digest(given.encode("latin-1", "replace"), f"Bearer {secret}".encode())


def _serve(request, kind):
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if not _authorized(request):
        response = HttpResponse(b'{"detail":"Authentication credentials were not provided."}', status=401,
                                content_type="application/json")
        response["WWW-Authenticate"] = "Bearer"
        return response
    doc, etag = _document(kind)
    cache_control = f"{'private' if feed_setting('SECRET') else 'public'}, max-age={int(float(feed_setting('CACHE_SECONDS')))}"
    if etag in [t.strip() for t in request.META.get("HTTP_IF_NONE_MATCH", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(doc, content_type="application/jose")
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response


def session_state(request):
    return _serve(request, "state")


def jwks(request):
    return _serve(request, "jwks")
