"""In-process oracle: the real djangorestframework-sso 0.8.1 / PyJWT 2.15.1 code decides.

Verdict shapes (JSON-able):
  {"ok": true, "anonymous": true}                      authenticate() returned None
  {"ok": true, "header": {...}, "payload": {...}}      accepted (from JWTCredentials)
  {"ok": false, "detail": "<DRF text>", "cause": "<PyJWT exception>: <message>"}
  {"ok": false, "server_error": "<ExceptionType>: <message>"}   anything else -> HTTP 500

Trap handled here: rest_framework_sso.utils / .keys / .authentication bind
`api_settings` at import time, so override_settings never reaches them.  For
each settings profile we build a fresh APISettings and assign it to every
module global that holds one.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import sys
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
KEYS_DIR = os.path.join(REPO_ROOT, "keys")

_DURATIONS = ("SESSION_EXPIRATION", "AUTHORIZATION_EXPIRATION")


def _setup_django() -> None:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY="parity-oracle",
            USE_TZ=True,
            TIME_ZONE="UTC",
            LANGUAGE_CODE="en-us",
            INSTALLED_APPS=[
                "django.contrib.auth",
                "django.contrib.contenttypes",
                "rest_framework",
                "rest_framework_sso",
            ],
            DATABASES={},
            ALLOWED_HOSTS=["*"],
            REST_FRAMEWORK={
                "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_sso.authentication.JWTAuthentication"],
                "UNAUTHENTICATED_USER": None,
            },
            REST_FRAMEWORK_SSO={},
        )
        django.setup()


def python_sso_settings(profile: dict, base_dir: str) -> dict:
    """Convert a JSON settings profile (as the Rust CLI reads it) to Python settings."""
    data = json.loads(json.dumps(profile))  # deep copy, keeps order
    root = data.get("KEY_STORE_ROOT")
    if root is not None and not os.path.isabs(root):
        data["KEY_STORE_ROOT"] = os.path.normpath(os.path.join(base_dir, root))
    for name in _DURATIONS:
        if data.get(name) is not None:
            data[name] = datetime.timedelta(seconds=data[name])
    return data


def load_settings_file(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        return python_sso_settings(json.load(fh), os.path.dirname(os.path.abspath(path)))


def _exc_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _where(exc: BaseException) -> str:
    """Where a 500 comes from: "key_file" when rest_framework_sso.keys was reading or loading
    the key file (pem.parse_file, load_pem_public_key), else "verify" (e.g. PyJWT's prepare_key)."""
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename.endswith(os.path.join("rest_framework_sso", "keys.py")) and \
                code.co_name in ("read_key_file", "get_public_key_and_key_id"):
            return "key_file"
        tb = tb.tb_next
    return "verify"


def to_wsgi_header(token: str, scheme: str = "JWT") -> str:
    """What WSGI would put in HTTP_AUTHORIZATION for '<scheme> <token>' sent as UTF-8 bytes."""
    return (scheme + " " + token).encode("utf-8", "surrogatepass").decode("latin-1")


class Oracle:
    def __init__(self) -> None:
        _setup_django()
        import rest_framework_sso.authentication as sso_auth
        import rest_framework_sso.keys as sso_keys
        import rest_framework_sso.settings as sso_settings
        import rest_framework_sso.utils as sso_utils
        from django.test import RequestFactory

        self._auth = sso_auth
        self._keys = sso_keys
        self._settings = sso_settings
        self._utils = sso_utils
        self._factory = RequestFactory()
        # Speed only: cryptography validates an RSA private key on every load (~50 ms), and
        # rest_framework_sso.keys loads the PEM file on every encode.  Memoise the pure
        # bytes -> key functions the module imported; behaviour is unchanged.
        import functools

        if not hasattr(sso_keys.load_pem_private_key, "cache_info"):
            sso_keys.load_pem_private_key = functools.lru_cache(maxsize=64)(sso_keys.load_pem_private_key)
            sso_keys.load_pem_public_key = functools.lru_cache(maxsize=64)(sso_keys.load_pem_public_key)
        # No DB: authentication succeeds as soon as decode_jwt_token succeeded.
        sso_auth.authenticate_payload = lambda payload, request=None: (None, payload)
        self.profile_name: str | None = None

    # -- settings --------------------------------------------------------------------------
    def use_settings(self, name: str, python_settings: dict) -> None:
        from rest_framework.settings import APISettings

        s = self._settings
        api = APISettings(python_settings, s.DEFAULTS, s.IMPORT_STRINGS)
        s.api_settings = api
        self._utils.api_settings = api
        self._keys.api_settings = api
        self._auth.api_settings = api
        # authentication.decode_jwt_token was bound at import time from DECODE_JWT_TOKEN;
        # profiles never change it, so it stays rest_framework_sso.utils.decode_jwt_token.
        assert self._auth.decode_jwt_token is self._utils.decode_jwt_token
        self.profile_name = name

    def use_profile(self, name: str, profile: dict, base_dir: str) -> None:
        self.use_settings(name, python_sso_settings(profile, base_dir))

    # -- clock -----------------------------------------------------------------------------
    @staticmethod
    @contextlib.contextmanager
    def frozen(now: int | float):
        from freezegun import freeze_time

        with freeze_time(datetime.datetime.fromtimestamp(now, tz=datetime.timezone.utc)):
            yield

    # -- verdicts --------------------------------------------------------------------------
    def authenticate(self, header_value: str | None) -> dict[str, Any]:
        """Run JWTAuthentication().authenticate on a request with this raw header (latin-1 str)."""
        from rest_framework.exceptions import AuthenticationFailed
        from rest_framework.request import Request
        from rest_framework_sso.credentials import JWTCredentials
        import jwt

        extra = {} if header_value is None else {"HTTP_AUTHORIZATION": header_value}
        request = Request(self._factory.get("/", **extra))
        try:
            result = self._auth.JWTAuthentication().authenticate(request)
        except AuthenticationFailed as exc:
            out: dict[str, Any] = {"ok": False, "detail": str(exc.detail)}
            ctx = exc.__context__
            if isinstance(ctx, (jwt.exceptions.PyJWTError, UnicodeError)):
                out["cause"] = _exc_text(ctx)
            return out
        except RecursionError as exc:  # pragma: no cover - reported like any other 500
            return {"ok": False, "server_error": _exc_text(exc)}
        except Exception as exc:  # noqa: BLE001 - the server would answer HTTP 500
            return {"ok": False, "server_error": _exc_text(exc), "at": _where(exc)}
        if result is None:
            return {"ok": True, "anonymous": True}
        _user, creds = result
        assert isinstance(creds, JWTCredentials)
        return {"ok": True, "header": creds.header, "payload": creds.payload}

    def verify(self, token: str) -> dict[str, Any]:
        """Verdict for a bare token (Rust `verify`): same as header '<AUTHENTICATE_HEADER> <token>'."""
        if token != token.strip() or any(c.isspace() for c in token) or token == "":
            raise ValueError("verify-mode tokens must be non-empty and contain no whitespace")
        return self.authenticate(to_wsgi_header(token, self._auth.api_settings.AUTHENTICATE_HEADER))

    def encode(self, payload: dict) -> dict[str, Any]:
        """rest_framework_sso.utils.encode_jwt_token(payload) -> {"ok", "token"} or error."""
        try:
            token = self._utils.encode_jwt_token(payload=payload)
        except Exception as exc:  # noqa: BLE001
            return {"ok": False, "error": _exc_text(exc)}
        return {"ok": True, "token": token}

    def key_file_status(self, file_name: str) -> str:
        """What the server makes of one PUBLIC_KEYS file, with the profile in use:
        "key" (its first public block loads), "no_public_key" (InvalidKeyError: 401) or
        "error" (any exception: HTTP 500 for the tokens selecting it)."""
        import pem

        try:
            data = self._keys.read_key_file(file_name=file_name)
            block = next((o.as_bytes() for o in data if isinstance(o, pem.PublicKey)), None)
            if block is None:
                return "no_public_key"
            self._keys.load_pem_public_key(block)
        except Exception:  # noqa: BLE001
            return "error"
        return "key"

    def decode_raw(self, token: str) -> dict:
        """Unverified payload, as PyJWT parses it (for live-test comparisons)."""
        import jwt

        return jwt.decode(token, options={"verify_signature": False})


def dumps(value: Any) -> str:
    """Canonical JSON text of a verdict (keeps key order, escapes everything non-ASCII)."""
    return json.dumps(value, ensure_ascii=True, allow_nan=True, separators=(",", ":"))


def main(argv: list[str]) -> int:
    """Tiny CLI for experiments: oracle.py verify|authenticate|sign --settings F [--now N] < lines."""
    import argparse
    import time

    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["verify", "authenticate", "sign"])
    ap.add_argument("--settings", default=os.path.join(KEYS_DIR, "settings.json"))
    ap.add_argument("--now", type=float, default=None)
    args = ap.parse_args(argv)
    oracle = Oracle()
    oracle.use_settings(os.path.basename(args.settings), load_settings_file(args.settings))
    now = args.now if args.now is not None else int(time.time())
    with oracle.frozen(now):
        for line in sys.stdin:
            if args.mode == "verify":
                line = line.strip()
                if not line:
                    continue
                print(dumps(oracle.verify(line)))
            elif args.mode == "authenticate":
                if not line.strip():
                    continue
                print(dumps(oracle.authenticate(json.loads(line))))
            else:
                if not line.strip():
                    continue
                print(dumps(oracle.encode(json.loads(line))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
