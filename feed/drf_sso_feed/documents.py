"""The two documents, built from the database and signed with the server's own private key
(`rest_framework_sso.keys.get_private_key_and_key_id(IDENTITY)`, the key `encode_jwt_token`
signs tokens with; `ENCODE_ALGORITHM`) as compact JWS:

* session state (`typ: drf-sso-state+jwt`): what `authenticate_payload` reads from the
  database, limited to the rows that can still change a verdict;
* key set (`typ: drf-sso-jwks+jwt`): `PUBLIC_KEYS` and the public keys as a JWK Set
  (`kid` = key file name without `.pem`, members as `drf-sso-jwt jwks` writes them).

Every document carries `iss`, `seq` (never smaller than the last one of its kind), `iat`
(seconds) and `max_age` (seconds). The bound of the session lists: a token verifies at most
`lifetime` seconds after it was issued, `lifetime` = the larger of `SESSION_EXPIRATION` and
`AUTHORIZATION_EXPIRATION`, plus `EXPIRATION_LEEWAY`, plus `MARGIN` (no bound when either
expiration is `None` or `VERIFY_EXPIRATION` is off). A session revoked, deleted or re-issued
before `horizon = now - lifetime` cannot change the verdict on a token that still verifies,
so it is left out."""
import base64
import calendar
import datetime
import json
import threading

import jwt
import pem
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.models import Min, Q
from django.utils import timezone
from rest_framework_sso.keys import get_key_id, get_private_key_and_key_id, read_key_file
from rest_framework_sso.models import SessionToken
from rest_framework_sso.settings import api_settings

from drf_sso_feed.conf import feed_setting
from drf_sso_feed.models import DeletedSession, DeletedUser, ReissuedSession

STATE_TYPE = "drf-sso-state+jwt"
KEYS_TYPE = "drf-sso-jwks+jwt"
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_US = datetime.timedelta(microseconds=1)


def issuer():
    name = feed_setting("ISSUER") or api_settings.IDENTITY
    if not isinstance(name, str) or not name:
        raise ImproperlyConfigured("DRF_SSO_FEED['ISSUER'] or REST_FRAMEWORK_SSO['IDENTITY'] must name the issuer")
    return name


def _seconds(v):
    return v.total_seconds() if isinstance(v, datetime.timedelta) else float(v)


def lifetime_bound():
    """Seconds after its issue during which a token of this server can still verify, plus
    MARGIN; None when there is no bound."""
    s = api_settings
    if not s.VERIFY_EXPIRATION or s.SESSION_EXPIRATION is None or s.AUTHORIZATION_EXPIRATION is None:
        return None
    return (
        max(_seconds(s.SESSION_EXPIRATION), _seconds(s.AUTHORIZATION_EXPIRATION))
        + _seconds(s.EXPIRATION_LEEWAY or 0)
        + float(feed_setting("MARGIN"))
    )


def _aware(dt):
    return dt if timezone.is_aware(dt) else dt.astimezone(datetime.timezone.utc)


def _micros(dt):
    """A datetime as exact microseconds since the epoch."""
    return (_aware(dt) - _EPOCH) // _US


_last_sequence = {}
_sequence_lock = threading.Lock()


def _next_sequence(name, now):
    """The sequence number of a document kind: its build time in microseconds, and more than
    the last one this process gave. No database write: building a document only reads (a
    write per build would contend with the application's own writes, on SQLite above all).
    Across processes and servers the numbers follow their clocks: a server whose clock is
    behind builds documents an edge that saw a newer one refuses until its clock catches up."""
    with _sequence_lock:
        seq = max(_micros(now), _last_sequence.get(name, 0) + 1)
        _last_sequence[name] = seq
        return seq


def _json(payload):
    """Compact JSON of a payload; a `_Raw` value is JSON text already (the session rows)."""
    raw = {k: v for k, v in payload.items() if isinstance(v, _Raw)}
    body = json.dumps({k: (f"\0{k}\0" if k in raw else v) for k, v in payload.items()}, separators=(",", ":"))
    for k, v in raw.items():
        body = body.replace(json.dumps(f"\0{k}\0"), v, 1)
    return body


class _Raw(str):
    """JSON text to put into a document as it is."""


def _sign(payload, typ):
    key, key_id = get_private_key_and_key_id(issuer=issuer())
    body = _json(payload).encode()
    return jwt.api_jws.encode(body, key, algorithm=api_settings.ENCODE_ALGORITHM, headers={"kid": key_id, "typ": typ})


def _user_pk_is_integer():
    pk = get_user_model()._meta.pk
    return isinstance(pk, (models.IntegerField, models.AutoField)) or (
        isinstance(pk, models.ForeignKey) and isinstance(pk.target_field, (models.IntegerField, models.AutoField))
    )


def _session_rows(horizon, vti, listed):
    """The listed sessions as JSON text of `[sid hex, uid, revoked_at µs | null, int(last_issued_at) | null]`
    rows, comma-separated: built by the database itself on SQLite and PostgreSQL (index range
    scans, integers computed in SQL, one text value back), through the ORM elsewhere."""
    vendor = connection.vendor
    if feed_setting("FAST_SQL") and vendor in ("sqlite", "postgresql"):
        return _session_rows_sql(vendor, horizon, vti)
    rows = SessionToken.objects.filter(listed).values_list("id", "user_id", "revoked_at", "last_issued_at")
    return ",".join(
        json.dumps([sid.hex, uid, None if r is None else _micros(r), None if li is None else int(li.timestamp())],
                   separators=(",", ":"))
        for sid, uid, r, li in rows.iterator(chunk_size=10000)
    )


def _session_rows_sql(vendor, horizon, vti):
    m = SessionToken._meta
    t = connection.ops.quote_name(m.db_table)
    col = {f: connection.ops.quote_name(m.get_field(f).column) for f in ("id", "user", "revoked_at", "last_issued_at")}
    if vendor == "postgresql":
        sid = f"replace({col['id']}::text, '-', '')"
        us = f"(extract(epoch FROM {col['revoked_at']}) * 1000000)::bigint"
        secs = f"trunc(extract(epoch FROM {col['last_issued_at']}))::bigint"
        agg = "string_agg(r, ',')"
    else:
        # Django stores SQLite datetimes as UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]'.
        sid = col["id"]
        r = col["revoked_at"]
        us = (f"CAST(strftime('%%s', {r}) AS INTEGER) * 1000000 + "
              f"CASE WHEN length({r}) > 19 THEN CAST(substr({r}, 21, 6) AS INTEGER) ELSE 0 END")
        secs = f"CAST(strftime('%%s', {col['last_issued_at']}) AS INTEGER)"
        agg = "group_concat(r, ',')"
    row = (f"'[\"' || {sid} || '\",' || {col['user']} || ',' || "
           f"coalesce(CAST({us} AS TEXT), 'null') || ',' || coalesce(CAST({secs} AS TEXT), 'null') || ']' AS r")
    parts, params = [], []
    if horizon is None:
        parts.append(f"SELECT {row} FROM {t} WHERE {col['revoked_at']} IS NOT NULL")
    else:
        parts.append(f"SELECT {row} FROM {t} WHERE {col['revoked_at']} > %s")
        params.append(connection.ops.adapt_datetimefield_value(horizon))
    if vti:
        if horizon is None:
            reissued = connection.ops.quote_name(ReissuedSession._meta.db_table)
            parts.append(f"SELECT {row} FROM {t} WHERE {col['id']} IN (SELECT session_id FROM {reissued})")
        else:
            parts.append(f"SELECT {row} FROM {t} WHERE {col['last_issued_at']} > %s")
            params.append(connection.ops.adapt_datetimefield_value(horizon))
    # UNION: a session both revoked and re-issued is one row.
    sql = f"SELECT {agg} FROM ({' UNION '.join(parts)}) rows"
    with connection.cursor() as c:
        c.execute(sql, params)  # always with a list: '%%' stands for '%' on every backend
        return c.fetchone()[0] or ""


def state_payload(now=None):
    """The session-state payload at `now` (default: the clock), inside the caller's transaction."""
    if not _user_pk_is_integer():
        raise ImproperlyConfigured("drf_sso_feed needs a user model with an integer primary key")
    now = now or timezone.now()
    seq = _next_sequence("state", now)
    bound = lifetime_bound()
    horizon = None if bound is None else now - datetime.timedelta(seconds=bound)
    vst = bool(api_settings.VERIFY_SESSION_TOKEN)
    vti = bool(api_settings.VERIFY_TOKEN_ISSUED_AT)

    sessions, deleted_sessions, floor = "", [], None
    if vst:
        listed = Q(revoked_at__isnull=False)
        if horizon is not None:
            listed &= Q(revoked_at__gt=horizon)
        if vti:
            # Re-issued sessions: within the bound, last_issued_at itself tells; without one,
            # the sessions recorded as re-issued (their first session token is superseded).
            if horizon is not None:
                listed |= Q(last_issued_at__gt=horizon)
            else:
                listed |= Q(pk__in=ReissuedSession.objects.values("session_id"))
        sessions = _session_rows(horizon, vti, listed)
        if vti:
            # Sessions the list leaves out count as issued at the smallest last_issued_at.
            least = SessionToken.objects.aggregate(m=Min("last_issued_at"))["m"]
            floor = None if least is None else int(least.timestamp())
        gone = DeletedSession.objects.all()
        if horizon is not None:
            gone = gone.filter(deleted_at__gt=horizon)
        deleted_sessions = [sid.hex for sid in gone.values_list("session_id", flat=True).iterator(chunk_size=10000)]

    user_model = get_user_model()
    try:
        user_model._meta.get_field("is_active")
        inactive = list(user_model._default_manager.filter(is_active=False).values_list("pk", flat=True))
    except FieldDoesNotExist:
        inactive = []  # is_active is a class attribute (always True)
    deleted_users = DeletedUser.objects.all()
    if horizon is not None:
        deleted_users = deleted_users.filter(deleted_at__gt=horizon)

    return {
        "iss": issuer(),
        "seq": seq,
        "iat": calendar.timegm(now.utctimetuple()),
        "max_age": int(feed_setting("MAX_AGE")),
        "verify_session_token": vst,
        "verify_token_issued_at": vti,
        "horizon": None if horizon is None else calendar.timegm(horizon.utctimetuple()),
        "last_issued_at_floor": floor,
        "sessions": _Raw("[" + sessions + "]"),
        "deleted_sessions": deleted_sessions,
        "inactive_users": inactive,
        "deleted_users": list(deleted_users.values_list("user_id", flat=True)),
    }


def build_state_document(now=None):
    """The signed session-state document (compact JWS, ASCII)."""
    with transaction.atomic():
        payload = state_payload(now)
    return _sign(payload, STATE_TYPE)


def _b64uint(n):
    return base64.urlsafe_b64encode(n.to_bytes((n.bit_length() + 7) // 8 or 1, "big")).rstrip(b"=").decode()


def _jwk(file_name):
    """The public key of a key file as drf-sso reads it (its first public PEM block), as a
    JWK; None when the server could not use the file either."""
    try:
        block = next(o for o in read_key_file(file_name=file_name) if isinstance(o, pem.PublicKey))
        key = load_pem_public_key(block.as_bytes())
    except (OSError, StopIteration, ValueError, TypeError):
        return None
    kid = get_key_id(file_name=file_name)
    if isinstance(key, rsa.RSAPublicKey):
        n = key.public_numbers()
        return {"kty": "RSA", "kid": kid, "use": "sig", "alg": api_settings.ENCODE_ALGORITHM,
                "n": _b64uint(n.n), "e": _b64uint(n.e)}
    jwk = json.loads(jwt.algorithms.get_default_algorithms()[_family(key)].to_jwk(key))
    jwk.pop("key_ops", None)
    return {"kty": jwk.pop("kty"), "kid": kid, "use": "sig", "alg": api_settings.ENCODE_ALGORITHM, **jwk}


def _family(key):
    from cryptography.hazmat.primitives.asymmetric import ec

    return "ES256" if isinstance(key, ec.EllipticCurvePublicKey) else "EdDSA"


def jwks_payload(now=None):
    now = now or timezone.now()
    seq = _next_sequence("jwks", now)
    public_keys = {iss: names for iss, names in api_settings.PUBLIC_KEYS.items()}
    seen, keys = set(), []
    for names in public_keys.values():
        for name in [names] if isinstance(names, str) else names:
            if name not in seen:
                seen.add(name)
                jwk = _jwk(name)
                if jwk is not None:
                    keys.append(jwk)
    return {
        "iss": issuer(),
        "seq": seq,
        "iat": calendar.timegm(now.utctimetuple()),
        "max_age": int(feed_setting("MAX_AGE")),
        "public_keys": public_keys,
        "keys": keys,
    }


def build_jwks_document(now=None):
    """The signed key-set document (compact JWS, ASCII)."""
    with transaction.atomic():
        payload = jwks_payload(now)
    return _sign(payload, KEYS_TYPE)


def prune(now=None):
    """Deletes the recorded facts no document can need again (older than the horizon);
    nothing when there is no lifetime bound. Returns the number of rows deleted."""
    bound = lifetime_bound()
    if bound is None:
        return 0
    horizon = (now or timezone.now()) - datetime.timedelta(seconds=bound)
    n = 0
    for model, field in ((ReissuedSession, "reissued_at"), (DeletedSession, "deleted_at"), (DeletedUser, "deleted_at")):
        n += model.objects.filter(**{f"{field}__lte": horizon}).delete()[0]
    return n
