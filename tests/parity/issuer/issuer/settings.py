"""Settings of the parity issuer.

Environment variables (all optional):
  PARITY_SSO_SETTINGS   path of a REST_FRAMEWORK_SSO JSON file (default: <repo>/keys/settings.json);
                        relative KEY_STORE_ROOT is resolved against that file's directory,
                        durations are seconds.
  PARITY_PRIVATE_KEY    file name used as PRIVATE_KEYS["myapp"] (default: myapp-20200410.pem),
                        e.g. myapp-20180101.pem to demonstrate key rotation.
  PARITY_DB_DIR         directory of the SQLite database (default: a fresh temp dir).
  PARITY_PUBLIC_KEYS    JSON of PUBLIC_KEYS to use instead of the settings file's (key rotation).
  PARITY_FEED           JSON merged into DRF_SSO_FEED (the drf_sso_feed app of <repo>/feed).
  PARITY_TEST_VIEWS     1: also serve the test-only /test/... views (logout, deactivate a user).
  PARITY_POSTGRES       JSON {"HOST", "PORT", "NAME", "USER"}: PostgreSQL instead of SQLite.
"""
import datetime
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
# The session-state / JWKS feed app of this repository (feed/), importable without installing it.
sys.path.insert(0, os.path.join(REPO_ROOT, "feed"))

SECRET_KEY = "parity-test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
ROOT_URLCONF = "issuer.urls"
MIDDLEWARE = []
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "rest_framework_sso",
    "drf_sso_feed",
    "issuer",  # only for the create_parity_users management command
]

_db_dir = os.environ.get("PARITY_DB_DIR") or tempfile.mkdtemp(prefix="parity-issuer-db-")
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(_db_dir, "db.sqlite3")}}
if os.environ.get("PARITY_POSTGRES"):
    DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", **json.loads(os.environ["PARITY_POSTGRES"])}}

# Fast hasher: test users only.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_sso.authentication.JWTAuthentication"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}

_DURATIONS = ("SESSION_EXPIRATION", "AUTHORIZATION_EXPIRATION")


def load_sso_settings(path):
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    base = os.path.dirname(os.path.abspath(path))
    root = data.get("KEY_STORE_ROOT")
    if root is not None and not os.path.isabs(root):
        data["KEY_STORE_ROOT"] = os.path.normpath(os.path.join(base, root))
    for name in _DURATIONS:
        if data.get(name) is not None:
            data[name] = datetime.timedelta(seconds=data[name])
    return data


REST_FRAMEWORK_SSO = load_sso_settings(
    os.environ.get("PARITY_SSO_SETTINGS") or os.path.join(REPO_ROOT, "keys", "settings.json")
)
REST_FRAMEWORK_SSO["IDENTITY"] = "myapp"
REST_FRAMEWORK_SSO.setdefault("PRIVATE_KEYS", {})
REST_FRAMEWORK_SSO["PRIVATE_KEYS"] = dict(REST_FRAMEWORK_SSO["PRIVATE_KEYS"])
REST_FRAMEWORK_SSO["PRIVATE_KEYS"]["myapp"] = os.environ.get("PARITY_PRIVATE_KEY") or "myapp-20200410.pem"
if os.environ.get("PARITY_PUBLIC_KEYS"):
    REST_FRAMEWORK_SSO["PUBLIC_KEYS"] = json.loads(os.environ["PARITY_PUBLIC_KEYS"])

DRF_SSO_FEED = json.loads(os.environ.get("PARITY_FEED") or "{}")
TEST_VIEWS = os.environ.get("PARITY_TEST_VIEWS") == "1"

LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
