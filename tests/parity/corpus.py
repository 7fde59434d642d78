"""Deterministic parity corpus (fixed seed) for drf-sso-jwt vs djangorestframework-sso 0.8.1.

A case is a dict:
  id        "<category>/<n>"
  category  named category (see CATEGORIES after generation)
  profile   settings profile name (see PROFILES)
  now       UNIX seconds the verdict is taken at
  mode      "verify" (input = bare token, no whitespace) or
            "authenticate" (input = raw Authorization header value, chars U+0000..U+00FF, or None)
  input     see mode

Tokens are signed here with `cryptography` (RS*, HS*, EdDSA, ES* with RFC 6979 nonces) and a
seeded, hand-written EMSA-PSS encoder (PS*) so the corpus is byte-for-byte reproducible and
can be malformed in any way. The key store under target/parity/keystore/ (build_keystore)
holds copies of keys/, deterministic generated keys (gen-*), broken key files (kf-*) and PEM
framing variants (pf-*).

Run `python corpus.py [--out DIR]` to write DIR/corpus_cases.jsonl (no verdicts) and
print per-category counts; run_parity.py adds the oracle verdicts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import random
import shutil
import sys
import uuid
from collections import OrderedDict

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
KEYS_DIR = os.path.join(REPO_ROOT, "keys")
DEFAULT_OUT = os.path.join(REPO_ROOT, "target", "parity")

SEED = 20200410
NOW = 1_750_000_000
NOW2 = 1_900_000_123  # second clock, for groups that should not all share one --now
HOUR = 3600

# ----------------------------------------------------------------------------------------
# settings profiles (REST_FRAMEWORK_SSO as JSON; durations in seconds).
# KEY_STORE_ROOT "@keys" / "@keystore" are replaced by a path relative to the written file.
# ----------------------------------------------------------------------------------------
with open(os.path.join(KEYS_DIR, "settings.json"), encoding="utf-8") as _fh:
    BASE_SETTINGS = json.load(_fh, object_pairs_hook=OrderedDict)
BASE_SETTINGS["KEY_STORE_ROOT"] = "@keys"


def _profile(**changes):
    p = json.loads(json.dumps(BASE_SETTINGS), object_pairs_hook=OrderedDict)
    for k, v in changes.items():
        if v is _DEL:
            p.pop(k, None)
        else:
            p[k] = v
    return p


class _Del:
    def __repr__(self):
        return "<DEL>"


_DEL = _Del()

WEIRD_ISSUER_NAMES = [
    "True", "False", "None", "1", "0", "-1", "1.0", "1.5", "0.1", "1e+16", "1e+22", "1e-07", "-0.0",
    "123456789012345678901234567890", "[]", "{}", "['myapp']", "[1, [2]]", "{'a': 1}",
    "[\"it's\"]", "['é']", "['myapp', None, True]",
]

PROFILES = OrderedDict()
PROFILES["default"] = _profile()
PROFILES["no_sig"] = _profile(VERIFY_SIGNATURE=False)
PROFILES["no_exp"] = _profile(VERIFY_EXPIRATION=False)
PROFILES["no_iss"] = _profile(VERIFY_ISSUER=False)
PROFILES["no_aud"] = _profile(VERIFY_AUDIENCE=False)
PROFILES["all_off"] = _profile(VERIFY_SIGNATURE=False, VERIFY_EXPIRATION=False, VERIFY_ISSUER=False,
                               VERIFY_AUDIENCE=False)
PROFILES["leeway30"] = _profile(EXPIRATION_LEEWAY=30)
PROFILES["issuers_any"] = _profile(ACCEPTED_ISSUERS=None)
PROFILES["issuers_myapp"] = _profile(ACCEPTED_ISSUERS=["myapp"])
PROFILES["identity_absent"] = _profile(IDENTITY=_DEL)
PROFILES["identity_other"] = _profile(IDENTITY="otherapp")
PROFILES["identity_list"] = _profile(IDENTITY=["otherapp", "myapp"])
PROFILES["algs_unset"] = _profile(DECODE_ALGORITHMS=_DEL)  # library default: [ENCODE_ALGORITHM]
PROFILES["algs_null"] = _profile(DECODE_ALGORITHMS=None)
PROFILES["algs_empty"] = _profile(DECODE_ALGORITHMS=[])
PROFILES["algs_rs_ps"] = _profile(DECODE_ALGORITHMS=["RS256", "PS256"])
PROFILES["algs_all_rsa"] = _profile(DECODE_ALGORITHMS=["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"])
PROFILES["algs_hs"] = _profile(DECODE_ALGORITHMS=["RS256", "HS256"])
PROFILES["algs_none"] = _profile(DECODE_ALGORITHMS=["RS256", "none"])
PROFILES["algs_es"] = _profile(DECODE_ALGORITHMS=["ES256", "RS256"])
PROFILES["encode_ps256"] = _profile(ENCODE_ALGORITHM="PS256", DECODE_ALGORITHMS=_DEL)
PROFILES["encode_rs512"] = _profile(ENCODE_ALGORITHM="RS512", DECODE_ALGORITHMS=_DEL)
SHORT_KEY = "test-only-1024.pem"  # optional 1024-bit key (PyJWT only warns: InsecureKeyLengthWarning)
if os.path.exists(os.path.join(KEYS_DIR, SHORT_KEY)):
    PROFILES["short_key"] = _profile(PUBLIC_KEYS=OrderedDict([("myapp", [SHORT_KEY, "myapp-20200410.pem"]),
                                                              ("otherapp", "otherapp-2024.pem")]))
PROFILES["single_key"] = _profile(PUBLIC_KEYS=OrderedDict([("myapp", "myapp-20180101.pem"),
                                                            ("otherapp", ["otherapp-2024.pem"])]))
_weird_keys = OrderedDict((n, ["myapp-20200410.pem"]) for n in WEIRD_ISSUER_NAMES)
_weird_keys["myapp"] = ["myapp-20200410.pem"]
PROFILES["weird_issuers"] = _profile(ACCEPTED_ISSUERS=None, PUBLIC_KEYS=_weird_keys)
PROFILES["weird_issuers_noiss"] = _profile(ACCEPTED_ISSUERS=None, VERIFY_ISSUER=False, PUBLIC_KEYS=_weird_keys)
PROFILES["keystore"] = _profile(
    KEY_STORE_ROOT="@keystore",
    PUBLIC_KEYS=OrderedDict([("myapp", ["upper.PEM", "noext", "myapp-20200410.pem"]),
                             ("otherapp", "otherapp-2024.pem")]),
)
PROFILES["keystore_privonly"] = _profile(
    KEY_STORE_ROOT="@keystore",
    PUBLIC_KEYS=OrderedDict([("myapp", ["privonly.pem", "myapp-20200410.pem"]),
                             ("otherapp", "otherapp-2024.pem")]),
)
PROFILES["bearer"] = _profile(AUTHENTICATE_HEADER="Bearer")
PROFILES["abs_keystore_root"] = _profile(KEY_STORE_ROOT="@keys_abs")

# ---- EC / EdDSA key stores, mixed stores, per-token key failures (issue 13) -------------
# Every key file the server can load (and some it cannot), copied or generated into
# target/parity/keystore/ by build_keystore(). (file, signing key, what it fits): the signing
# key names an entry of PRIV (None: no private key to sign with); "fits" is the alg family
# the server verifies with it (an ES* alg, "EdDSA", "RSA") or None (no alg can use it).
EC_STORE_FILES = [
    ("test-only-ec-p256.pem", "test-only-ec-p256", "ES256"),             # PKCS#8 + SPKI (named curve)
    ("test-only-ec-p256-sec1.pem", "test-only-ec-p256", "ES256"),        # SEC1 + compressed point
    ("test-only-ec-p256-explicit.pem", "test-only-ec-p256", "ES256"),    # explicit parameters
    ("test-only-ec-p384.pem", "test-only-ec-p384", "ES384"),
    ("test-only-ec-p384-sec1.pem", "test-only-ec-p384", "ES384"),
    ("test-only-ec-p384-explicit.pem", "test-only-ec-p384", "ES384"),
    ("test-only-ec-p521.pem", "test-only-ec-p521", "ES512"),
    ("test-only-ec-p521-sec1.pem", "test-only-ec-p521", "ES512"),
    ("test-only-ec-p521-explicit.pem", "test-only-ec-p521", "ES512"),
    ("test-only-ec-secp256k1.pem", "test-only-ec-secp256k1", "ES256K"),
    ("test-only-ec-secp256k1-sec1.pem", "test-only-ec-secp256k1", "ES256K"),
    ("test-only-ec-secp256k1-explicit.pem", "test-only-ec-secp256k1", "ES256K"),  # the server refuses it
    ("test-only-ed25519.pem", "test-only-ed25519", "EdDSA"),
    ("test-only-ed448.pem", "test-only-ed448", "EdDSA"),
    ("test-only-rsa-pss.pem", "test-only-rsa-pss", "RSA"),               # id-RSASSA-PSS SPKI
    ("test-only-rsa-e2p33.pem", "test-only-rsa-e2p33", "RSA"),           # e = 2^33 + 1
    ("myapp-20200410.pem", "myapp-20200410", "RSA"),
    ("test-only-ec-p224.pem", "test-only-ec-p224", None),                # loaded, no ES* curve
    ("gen-ec-brainpoolp256r1.pem", "gen-ec-brainpoolp256r1", None),
    ("test-only-x25519.pem", None, None),
    ("gen-x448.pem", None, None),
    ("test-only-dsa.pem", "test-only-dsa", None),
    ("gen-ec-p256-privonly.pem", "test-only-ec-p256", "ES256"),          # no public block
    ("gen-ed25519-pubonly.pem", "test-only-ed25519", "EdDSA"),           # public block only
    ("gen-ec-p384-pub-first.pem", "test-only-ec-p384", "ES384"),         # public block first
    ("gen-ec-then-rsa.pem", "test-only-ec-p256", "ES256"),               # first public block EC, then RSA
]
EC_ALGS = ["ES256", "ES384", "ES512", "ES521", "ES256K", "EdDSA"]
# Every alg name the matrix tries on every key: PyJWT's EC/OKP/RSA/HMAC/none ones, plus names
# PyJWT does not have (Ed25519, ES224: "Algorithm not supported" once allowed).
MATRIX_ALGS = EC_ALGS + ["RS256", "PS384", "HS256", "none", "Ed25519", "ES224"]
_ec_keys = OrderedDict([("myapp", [f for f, _, _ in EC_STORE_FILES]), ("otherapp", "otherapp-2024.pem")])
PROFILES["ec_store"] = _profile(KEY_STORE_ROOT="@keystore", PUBLIC_KEYS=_ec_keys,
                                DECODE_ALGORITHMS=MATRIX_ALGS + ["RS384", "RS512", "PS256", "PS512"])
PROFILES["ec_store_nosig"] = _profile(KEY_STORE_ROOT="@keystore", PUBLIC_KEYS=_ec_keys, VERIFY_SIGNATURE=False,
                                      DECODE_ALGORITHMS=MATRIX_ALGS)
PROFILES["ec_store_rsa_algs"] = _profile(KEY_STORE_ROOT="@keystore", PUBLIC_KEYS=_ec_keys,
                                         DECODE_ALGORITHMS=["RS256", "PS256"])
PROFILES["ec_store_es521_only"] = _profile(KEY_STORE_ROOT="@keystore", PUBLIC_KEYS=_ec_keys,
                                           DECODE_ALGORITHMS=["ES521"])
# DECODE_ALGORITHMS unset: [ENCODE_ALGORITHM]
PROFILES["ec_encode_es256"] = _profile(KEY_STORE_ROOT="@keystore", PUBLIC_KEYS=_ec_keys,
                                       ENCODE_ALGORITHM="ES256", DECODE_ALGORITHMS=_DEL)
PROFILES["ec_encode_eddsa"] = _profile(KEY_STORE_ROOT="@keystore", PUBLIC_KEYS=_ec_keys,
                                       ENCODE_ALGORITHM="EdDSA", DECODE_ALGORITHMS=None)
# RSA and EC issuers side by side.
MIXED_ISSUERS = ["myapp", "otherapp", "ecapp", "edapp", "k1app"]
PROFILES["mixed_issuers"] = _profile(
    KEY_STORE_ROOT="@keystore", ACCEPTED_ISSUERS=MIXED_ISSUERS,
    DECODE_ALGORITHMS=["RS256", "PS256", "ES256", "ES384", "EdDSA", "ES256K"],
    PUBLIC_KEYS=OrderedDict([("myapp", ["myapp-20200410.pem", "myapp-20180101.pem"]),
                             ("otherapp", "otherapp-2024.pem"),
                             ("ecapp", ["test-only-ec-p256.pem", "test-only-ec-p384-sec1.pem"]),
                             ("edapp", "test-only-ed25519.pem"),
                             ("k1app", ["test-only-ec-secp256k1-sec1.pem"])]))
# RSA -> EC rotation within one issuer's list (kid selects; no kid = the first file).
_ROT_ALGS = ["RS256", "PS256", "ES256", "ES384", "EdDSA"]
PROFILES["rotation_to_ec"] = _profile(
    KEY_STORE_ROOT="@keystore", DECODE_ALGORITHMS=_ROT_ALGS,
    PUBLIC_KEYS=OrderedDict([("myapp", ["test-only-ec-p256.pem", "myapp-20200410.pem", "myapp-20180101.pem"]),
                             ("otherapp", "otherapp-2024.pem")]))
PROFILES["rotation_from_rsa"] = _profile(
    KEY_STORE_ROOT="@keystore", DECODE_ALGORITHMS=_ROT_ALGS,
    PUBLIC_KEYS=OrderedDict([("myapp", ["myapp-20200410.pem", "test-only-ec-p384.pem", "test-only-ed25519.pem"]),
                             ("otherapp", "otherapp-2024.pem")]))
# DECODE_ALGORITHMS lists mixing families over the RSA key store.
PROFILES["algs_ec_ed_only"] = _profile(DECODE_ALGORITHMS=["ES256", "ES384", "EdDSA"])
PROFILES["algs_every_family"] = _profile(DECODE_ALGORITHMS=["EdDSA", "ES256", "RS256", "HS256", "PS256", "ES512"])

# Per-token key failures: one issuer's list holding good files and every way a file can be
# broken (built by build_keystore; RSA keys only, so the RSA-only wasm build runs them too).
KEY_FILE_CASES = [  # (file, signing key)
    ("kf-current.pem", "myapp-20200410"),
    ("kf-retired.pem", "myapp-20180101"),
    ("kf-missing.pem", "myapp-20200410"),         # not there
    ("kf-dir.pem", "myapp-20200410"),             # a directory
    ("kf-loop.pem", "myapp-20200410"),            # a symlink to itself (ELOOP)
    ("kf-dangling.pem", "myapp-20200410"),        # a symlink to a missing file
    ("kf-empty.pem", "myapp-20200410"),           # 0 bytes
    ("kf-truncated-end.pem", "myapp-20180101"),   # cut inside the public block: END gone
    ("kf-truncated-body.pem", "myapp-20180101"),  # a base64 line of the public block dropped
    ("kf-badb64.pem", "myapp-20180101"),          # a character outside base64 in the body
    ("kf-garbage-der.pem", "myapp-20180101"),     # valid base64, not DER
    ("kf-jwk.json", "myapp-20180101"),            # a JWK JSON file of the right key
    ("kf-cert.pem", "myapp-20180101"),            # a certificate only
    ("kf-unknown-oid.pem", "myapp-20180101"),     # SPKI of an algorithm cryptography lacks
    ("kf-dsa.pem", "test-only-dsa"),              # loads; no RS*/PS* can use it
    ("kf-rsa-public.pem", "myapp-20180101"),      # RSA PUBLIC KEY (PKCS#1) block
    ("kf-privonly.pem", "myapp-20200410"),        # private key only
    # PEM framing variants at the token level (framing itself: pem_cases.py)
    ("pf-comment.pem", "myapp-20180101"),         # Comment: header + blank line in the block
    ("pf-comment-noblank.pem", "myapp-20180101"), # the header without the blank line
    ("pf-crlf.pem", "myapp-20180101"),            # CRLF line ends
    ("pf-latin1.pem", "myapp-20180101"),          # a Latin-1 byte outside the block
    ("pf-latin1-inside.pem", "myapp-20180101"),   # ... and one in a header inside it
    ("pf-bom.pem", "myapp-20180101"),             # UTF-8 BOM first
    ("pf-blank-in-body.pem", "myapp-20180101"),   # a blank line in the base64
    ("pf-first-bad.pem", "myapp-20180101"),       # first public block unloadable, then a good one
    ("pf-first-other.pem", "myapp-20180101"),     # first public block another RSA key, then the right one
]
KEY_FILE_ISSUERS = ["myapp", "otherapp", "emptyname", "legacy", "brokenfirst"]
_kf_keys = OrderedDict([("myapp", [f for f, _ in KEY_FILE_CASES]),
                        ("otherapp", ["otherapp-2024.pem", "kf-missing-other.pem"]),
                        ("emptyname", ["", "kf-current.pem"]),   # "" first: no kid selects it
                        ("legacy", ""),                          # an issuer with an empty value
                        ("brokenfirst", ["kf-missing.pem", "kf-current.pem"])])
PROFILES["key_files"] = _profile(KEY_STORE_ROOT="@keystore", ACCEPTED_ISSUERS=KEY_FILE_ISSUERS, PUBLIC_KEYS=_kf_keys)
PROFILES["key_files_nosig"] = _profile(KEY_STORE_ROOT="@keystore", ACCEPTED_ISSUERS=KEY_FILE_ISSUERS,
                                       PUBLIC_KEYS=_kf_keys, VERIFY_SIGNATURE=False)
PROFILES["key_files_any_issuer"] = _profile(KEY_STORE_ROOT="@keystore", ACCEPTED_ISSUERS=None,
                                            PUBLIC_KEYS=_kf_keys, DECODE_ALGORITHMS=["RS256", "PS256", "ES256"])

# sign-parity profiles
SIGN_PROFILES = OrderedDict()
for _alg in ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512"):
    SIGN_PROFILES["sign_" + _alg.lower()] = _profile(ENCODE_ALGORITHM=_alg, DECODE_ALGORITHMS=_DEL)
# EC / EdDSA signing: (profile, ENCODE_ALGORITHM, myapp's file, otherapp's file). Each file
# signs with its private block and verifies with its public block, in keys/.
EC_SIGN = [
    ("sign_es256", "ES256", "test-only-ec-p256.pem", "test-only-ec-p256-explicit.pem"),
    ("sign_es384", "ES384", "test-only-ec-p384.pem", "test-only-ec-p384-sec1.pem"),
    ("sign_es512", "ES512", "test-only-ec-p521.pem", "test-only-ec-p521-sec1.pem"),
    ("sign_es521", "ES521", "test-only-ec-p521-explicit.pem", "test-only-ec-p521.pem"),
    ("sign_es256k", "ES256K", "test-only-ec-secp256k1.pem", "test-only-ec-secp256k1-sec1.pem"),
    ("sign_eddsa_ed25519", "EdDSA", "test-only-ed25519.pem", "test-only-ed448.pem"),
    ("sign_eddsa_ed448", "EdDSA", "test-only-ed448.pem", "test-only-ed25519.pem"),
    # a key that does not fit ENCODE_ALGORITHM: both sides must refuse to sign
    ("sign_es256_p384_key", "ES256", "test-only-ec-p384.pem", "myapp-20200410.pem"),
]
for _name, _alg, _mine, _other in EC_SIGN:
    SIGN_PROFILES[_name] = _profile(ENCODE_ALGORITHM=_alg, DECODE_ALGORITHMS=_DEL,
                                    PUBLIC_KEYS=OrderedDict([("myapp", [_mine]), ("otherapp", [_other])]),
                                    PRIVATE_KEYS=OrderedDict([("myapp", _mine), ("otherapp", _other)]))


def write_profiles(out_dir: str) -> dict:
    """Write every profile to out_dir/profiles/<name>.json; returns {name: path}.  Also builds the keystore."""
    prof_dir = os.path.join(out_dir, "profiles")
    os.makedirs(prof_dir, exist_ok=True)
    keystore = build_keystore(out_dir)
    paths = {}
    families = {}
    for name, prof in list(PROFILES.items()) + list(SIGN_PROFILES.items()):
        data = json.loads(json.dumps(prof), object_pairs_hook=OrderedDict)
        root = data.get("KEY_STORE_ROOT")
        if root == "@keys":
            data["KEY_STORE_ROOT"] = os.path.relpath(KEYS_DIR, prof_dir)
        elif root == "@keys_abs":
            data["KEY_STORE_ROOT"] = KEYS_DIR
        elif root == "@keystore":
            data["KEY_STORE_ROOT"] = os.path.relpath(keystore, prof_dir)
        path = os.path.join(prof_dir, name + ".json")
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False)
            fh.write("\n")
        paths[name] = path
        families[name] = key_families(data, prof_dir)
    # Which key families each profile's files hold (wasm_check.mjs: a build without EC/Ed may
    # refuse exactly the profiles that need them).
    with open(os.path.join(out_dir, "profile_families.json"), "w", encoding="utf-8") as fh:
        json.dump(families, fh, indent=1, sort_keys=True)
    return paths


def key_families(settings: dict, base_dir: str) -> list:
    """The families of the public keys a settings profile's PUBLIC_KEYS files hold, as the
    server loads them: rsa, ec (an ES* curve), okp (Ed25519/Ed448), other (a key no alg can
    use), none (no key: missing, unloadable, no public block)."""
    import pem
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

    root = settings.get("KEY_STORE_ROOT") or "."
    root = root if os.path.isabs(root) else os.path.join(base_dir, root)
    out = set()
    for value in (settings.get("PUBLIC_KEYS") or {}).values():
        for name in ([value] if isinstance(value, str) else list(value)) if value else []:
            try:
                with open(os.path.join(root, name), "rb") as fh:
                    objs = pem.parse(fh.read())
                block = next(o.as_bytes() for o in objs if isinstance(o, pem.PublicKey))
                key = serialization.load_pem_public_key(block)
            except Exception:  # noqa: BLE001
                out.add("none")
                continue
            if isinstance(key, rsa.RSAPublicKey):
                out.add("rsa")
            elif isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name in EC_ORDER:
                out.add("ec")
            elif isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
                out.add("okp")
            else:
                out.add("other")
    return sorted(out)


def build_keystore(out_dir: str) -> str:
    ks = os.path.join(out_dir, "keystore")
    os.makedirs(ks, exist_ok=True)
    shutil.copyfile(os.path.join(KEYS_DIR, "myapp-20200410.pem"), os.path.join(ks, "upper.PEM"))
    shutil.copyfile(os.path.join(KEYS_DIR, "myapp-20180101.pem"), os.path.join(ks, "noext"))
    shutil.copyfile(os.path.join(KEYS_DIR, "myapp-20200410.pem"), os.path.join(ks, "myapp-20200410.pem"))
    shutil.copyfile(os.path.join(KEYS_DIR, "otherapp-2024.pem"), os.path.join(ks, "otherapp-2024.pem"))
    text = open(os.path.join(KEYS_DIR, "myapp-20200410.pem"), encoding="ascii").read()
    start = text.index("-----BEGIN PRIVATE KEY-----")
    end = text.index("-----END PRIVATE KEY-----") + len("-----END PRIVATE KEY-----")
    with open(os.path.join(ks, "privonly.pem"), "w", encoding="ascii") as fh:
        fh.write(text[start:end] + "\n")
    _build_key_files(ks)
    return ks


def _pem_block(data: bytes, label: str) -> bytes:
    """The first `label` PEM block of data, BEGIN line to END line plus a line feed."""
    begin, end = f"-----BEGIN {label}-----".encode(), f"-----END {label}-----".encode()
    i = data.index(begin)
    return data[i:data.index(end, i) + len(end)] + b"\n"


def _pem_wrap(label: str, der: bytes) -> bytes:
    body = base64.b64encode(der).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return ("\n".join([f"-----BEGIN {label}-----"] + lines + [f"-----END {label}-----"]) + "\n").encode()


def _write(path: str, data: bytes) -> None:
    _remove(path)
    with open(path, "wb") as fh:
        fh.write(data)


def _remove(path: str) -> None:
    if os.path.islink(path) or os.path.isfile(path):
        os.remove(path)
    elif os.path.isdir(path):
        shutil.rmtree(path)


def _gen_private(name: str):
    """Deterministic keys of types keys/ has no file for."""
    from cryptography.hazmat.primitives.asymmetric import ec, x448

    seed = hashlib.sha512(f"drf-sso-jwt parity {name}".encode()).digest()
    if name == "gen-x448":
        return x448.X448PrivateKey.from_private_bytes(seed[:56])
    if name == "gen-ec-brainpoolp256r1":
        return ec.derive_private_key(int.from_bytes(seed[:32], "big") >> 2, ec.BrainpoolP256R1())
    raise KeyError(name)


def _pkcs8_and_spki(key) -> bytes:
    priv = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    pub = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    return priv + pub


def _self_signed_cert(key) -> bytes:
    """A certificate for `key` (RSA, so deterministic): what a key folder sometimes holds instead."""
    import datetime as _dt
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "myapp-20180101")])
    t0 = _dt.datetime(2018, 1, 1, tzinfo=_dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(20180101).not_valid_before(t0).not_valid_after(t0 + _dt.timedelta(days=3650))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


def _build_key_files(ks: str) -> None:
    """The EC/Ed store, the mixed stores and the key-file failures of issue 13 (see the
    profiles above): copies of keys/, deterministic generated keys, and broken files."""
    for name in sorted(os.listdir(KEYS_DIR)):
        if name.endswith(".pem"):
            shutil.copyfile(os.path.join(KEYS_DIR, name), os.path.join(ks, name))
    for name in ("gen-x448", "gen-ec-brainpoolp256r1"):
        _write(os.path.join(ks, name + ".pem"), _pkcs8_and_spki(_gen_private(name)))
    p256 = open(os.path.join(KEYS_DIR, "test-only-ec-p256.pem"), "rb").read()
    p384 = open(os.path.join(KEYS_DIR, "test-only-ec-p384.pem"), "rb").read()
    ed = open(os.path.join(KEYS_DIR, "test-only-ed25519.pem"), "rb").read()
    rsa20 = open(os.path.join(KEYS_DIR, "myapp-20200410.pem"), "rb").read()
    rsa18 = open(os.path.join(KEYS_DIR, "myapp-20180101.pem"), "rb").read()
    _write(os.path.join(ks, "gen-ec-p256-privonly.pem"), _pem_block(p256, "PRIVATE KEY"))
    _write(os.path.join(ks, "gen-ed25519-pubonly.pem"), _pem_block(ed, "PUBLIC KEY"))
    _write(os.path.join(ks, "gen-ec-p384-pub-first.pem"), _pem_block(p384, "PUBLIC KEY") + _pem_block(p384, "PRIVATE KEY"))
    _write(os.path.join(ks, "gen-ec-then-rsa.pem"), _pem_block(p256, "PUBLIC KEY") + _pem_block(rsa20, "PUBLIC KEY"))

    # ---- key-file failures (kf-*) ----
    j = lambda n: os.path.join(ks, n)  # noqa: E731
    _write(j("kf-current.pem"), rsa20)
    _write(j("kf-retired.pem"), rsa18)
    for n in ("kf-missing.pem", "kf-missing-other.pem", "kf-nowhere.pem"):
        _remove(j(n))
    _remove(j("kf-dir.pem"))
    os.makedirs(j("kf-dir.pem"))
    for n, target in (("kf-loop.pem", "kf-loop.pem"), ("kf-dangling.pem", "kf-nowhere.pem")):
        _remove(j(n))
        os.symlink(target, j(n))
    _write(j("kf-empty.pem"), b"")
    pub18 = _pem_block(rsa18, "PUBLIC KEY")
    priv18 = rsa18[:rsa18.index(b"-----BEGIN PUBLIC KEY-----")]
    _write(j("kf-truncated-end.pem"), priv18 + pub18[:200])
    lines = pub18.split(b"\n")
    _write(j("kf-truncated-body.pem"), priv18 + b"\n".join(lines[:3] + lines[4:]))
    bad = bytearray(pub18)
    bad[len(b"-----BEGIN PUBLIC KEY-----\n") + 70] = ord("!")
    bad_pub = bytes(bad)
    _write(j("kf-badb64.pem"), priv18 + bad_pub)
    _write(j("kf-garbage-der.pem"), _pem_wrap("PUBLIC KEY", hashlib.sha512(b"garbage").digest() * 4))
    nums = PRIV["myapp-20180101"].public_key().public_numbers()
    jwk = OrderedDict([("kty", "RSA"), ("kid", "kf-jwk"), ("use", "sig"), ("alg", "RS256"),
                       ("n", b64(nums.n.to_bytes((nums.n.bit_length() + 7) // 8, "big"))),
                       ("e", b64(nums.e.to_bytes(3, "big")))])
    _write(j("kf-jwk.json"), (json.dumps(jwk, indent=2) + "\n").encode())
    _write(j("kf-cert.pem"), _self_signed_cert(PRIV["myapp-20180101"]))
    # SEQUENCE { SEQUENCE { OID 1.2.3.4.5 }, BIT STRING 00 01 02 03 04 }
    _write(j("kf-unknown-oid.pem"), _pem_wrap("PUBLIC KEY", bytes.fromhex("300f3006" "06042a030405" "030500" "01020304")))
    shutil.copyfile(os.path.join(KEYS_DIR, "test-only-dsa.pem"), j("kf-dsa.pem"))
    _write(j("kf-rsa-public.pem"), PRIV["myapp-20180101"].public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.PKCS1))
    _write(j("kf-privonly.pem"), _pem_block(rsa20, "PRIVATE KEY"))

    # ---- PEM framing at the token level (pf-*) ----
    begin = b"-----BEGIN PUBLIC KEY-----\n"
    body18 = pub18[len(begin):]
    _write(j("pf-comment.pem"), priv18 + begin + b"Comment: rotated 2018-01-01\n\n" + body18)
    _write(j("pf-comment-noblank.pem"), priv18 + begin + b"Comment: rotated 2018-01-01\n" + body18)
    _write(j("pf-crlf.pem"), rsa18.replace(b"\n", b"\r\n"))
    _write(j("pf-latin1.pem"), b"# cl\xe9 de 2018 (Latin-1)\n" + rsa18)
    _write(j("pf-latin1-inside.pem"), priv18 + begin + b"Comment: cl\xe9 2018\n\n" + body18)
    _write(j("pf-bom.pem"), b"\xef\xbb\xbf" + rsa18)
    _write(j("pf-blank-in-body.pem"), priv18 + b"\n".join(lines[:3] + [b""] + lines[3:]))
    _write(j("pf-first-bad.pem"), bad_pub + pub18)
    _write(j("pf-first-other.pem"), _pem_block(rsa20, "PUBLIC KEY") + pub18)


# ----------------------------------------------------------------------------------------
# keys & signing
# ----------------------------------------------------------------------------------------
KEY_NAMES = ("myapp-20200410", "myapp-20180101", "otherapp-2024") + (
    ("test-only-1024",) if os.path.exists(os.path.join(KEYS_DIR, "test-only-1024.pem")) else ())
PRIV = {}
PUB_PEM = {}
for _n in KEY_NAMES:
    _data = open(os.path.join(KEYS_DIR, _n + ".pem"), "rb").read()
    _b = _data.index(b"-----BEGIN PUBLIC KEY-----")
    PUB_PEM[_n] = _data[_b:_data.index(b"-----END PUBLIC KEY-----") + len(b"-----END PUBLIC KEY-----")] + b"\n"
    _pb = _data.find(b"-----BEGIN RSA PRIVATE KEY-----")
    if _pb < 0:
        _pb = _data.index(b"-----BEGIN PRIVATE KEY-----")
    PRIV[_n] = serialization.load_pem_private_key(_data[_pb:_b] if _pb < _b else _data[_pb:], password=None)
# The EC, Ed, DSA and odd RSA test keys (issue 13), by file stem; the -sec1 / -explicit files
# hold the same keys as their base file. Generated keys (gen-*) as build_keystore writes them.
for _f in sorted(os.listdir(KEYS_DIR)):
    _stem = _f[:-4]
    if not _f.startswith("test-only-") or _stem in PRIV or "-sec1" in _f or "-explicit" in _f or _f == "test-only-x25519.pem":
        continue
    _data = open(os.path.join(KEYS_DIR, _f), "rb").read()
    _blocks = [b for b in (b"PRIVATE KEY", b"RSA PRIVATE KEY", b"EC PRIVATE KEY") if b"-----BEGIN " + b + b"-----" in _data]
    _blk = _pem_block(_data, _blocks[0].decode())
    PRIV[_stem] = serialization.load_pem_private_key(_blk, password=None)
PRIV["gen-ec-brainpoolp256r1"] = _gen_private("gen-ec-brainpoolp256r1")
# kids of the RSA keys whose exponent the `rsa` crate refuses (over 2^33 - 1): the harness's
# `--signature-check rsa-crate` cross-check cannot verify with them (OpenSSL can).
RSA_CRATE_EXPONENT_LIMIT_KIDS = {
    n for n, k in PRIV.items() if hasattr(k, "private_numbers") and hasattr(k.private_numbers(), "public_numbers")
    and getattr(k.private_numbers().public_numbers, "e", 0) > 2 ** 33 - 1}

_HASHES = {"256": (hashes.SHA256, hashlib.sha256), "384": (hashes.SHA384, hashlib.sha384),
           "512": (hashes.SHA512, hashlib.sha512)}


def _mgf1(seed: bytes, length: int, hfn) -> bytes:
    out = b""
    counter = 0
    while len(out) < length:
        out += hfn(seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return out[:length]


def _rsa_raw_private(key, m: int) -> int:
    pn = key.private_numbers()
    p, q = pn.p, pn.q
    m1 = pow(m, pn.dmp1, p)
    m2 = pow(m, pn.dmq1, q)
    h = (pn.iqmp * (m1 - m2)) % p
    return m2 + h * q


def pss_sign(key, msg: bytes, bits: str, salt: bytes) -> bytes:
    """Deterministic RSASSA-PSS (MGF1, salt length = digest size) with the given salt."""
    hfn = _HASHES[bits][1]
    h_len = hfn().digest_size
    assert len(salt) == h_len
    mod_bits = key.key_size
    em_bits = mod_bits - 1
    em_len = (em_bits + 7) // 8
    m_hash = hfn(msg).digest()
    h = hfn(b"\x00" * 8 + m_hash + salt).digest()
    ps = b"\x00" * (em_len - h_len - h_len - 2)
    db = ps + b"\x01" + salt
    mask = _mgf1(h, em_len - h_len - 1, hfn)
    masked = bytearray(a ^ b for a, b in zip(db, mask))
    masked[0] &= 0xFF >> (8 * em_len - em_bits)
    em = bytes(masked) + h + b"\xbc"
    s = _rsa_raw_private(key, int.from_bytes(em, "big"))
    return s.to_bytes((mod_bits + 7) // 8, "big")


# ES* hashes (PyJWT's table: ES512 and ES521 both SHA-512 on P-521) and the group orders.
ES_HASH = {"ES256": hashes.SHA256, "ES256K": hashes.SHA256, "ES384": hashes.SHA384, "ES512": hashes.SHA512,
           "ES521": hashes.SHA512}
EC_ORDER = {
    "secp256r1": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    "secp384r1": int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973", 16),
    "secp521r1": int("01FF" + "FFFFFFFF" * 7 + "FFFFFFFA"
                     "51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409", 16),
    "secp256k1": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141,
}
ED_ORDER = {"ed25519": 2 ** 252 + 27742317777372353535851937790883648493,
            "ed448": 2 ** 446 - 13818066809895115352007386748515426880336692474882178609894547503885}


def ec_field_bytes(key) -> int:
    return (key.curve.key_size + 7) // 8


def ec_sign_raw(key, alg: str, msg: bytes) -> bytes:
    """PyJWT's ES* signature (raw r||s), with an RFC 6979 nonce so the corpus is reproducible."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    r, s = decode_dss_signature(key.sign(msg, ec.ECDSA(ES_HASH[alg](), deterministic_signing=True)))
    n = ec_field_bytes(key)
    return r.to_bytes(n, "big") + s.to_bytes(n, "big")


class Signer:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def sign(self, alg: str, key_name: str, msg: bytes, salt: bytes | None = None) -> bytes:
        """A signature as PyJWT makes it with key_name's private key; b"" when the key cannot make one."""
        from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

        key = PRIV.get(key_name)
        if alg in ("RS256", "RS384", "RS512"):
            if not isinstance(key, rsa.RSAPrivateKey):
                return b""
            return key.sign(msg, padding.PKCS1v15(), _HASHES[alg[2:]][0]())
        if alg in ("PS256", "PS384", "PS512"):
            if not isinstance(key, rsa.RSAPrivateKey):
                return b""
            hlen = _HASHES[alg[2:]][1]().digest_size
            if salt is None:
                salt = bytes(self.rng.getrandbits(8) for _ in range(hlen))
            return pss_sign(key, msg, alg[2:], salt)
        if alg in ("HS256", "HS384", "HS512"):
            return hmac.new(PUB_PEM.get(key_name, b""), msg, _HASHES[alg[2:]][1]).digest()
        if alg in ES_HASH and isinstance(key, ec.EllipticCurvePrivateKey):
            return ec_sign_raw(key, alg, msg)  # on the key's own curve, whatever alg names
        if alg == "EdDSA" and isinstance(key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)):
            return key.sign(msg)
        return b""


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jdump(obj, ascii_only=True) -> bytes:
    """JSON bytes like PyJWT writes them (compact, ASCII-escaped)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=ascii_only).encode("utf-8")


def raw_json(obj, raws: dict) -> bytes:
    """JSON of obj where values equal to RAW("...") markers are replaced with raw JSON text."""
    text = json.dumps(obj, separators=(",", ":"))
    for marker, raw in raws.items():
        text = text.replace(json.dumps(marker), raw)
    return text.encode("utf-8")


class Raw:
    """Builder of payload bytes with raw JSON value snippets (NaN, 1e400, 5000-digit ints...)."""

    def __init__(self):
        self.raws = {}

    def __call__(self, raw_text: str) -> str:
        marker = f"@@RAW{len(self.raws)}@@"
        self.raws[marker] = raw_text
        return marker

    def dump(self, obj) -> bytes:
        return raw_json(obj, self.raws)


# ----------------------------------------------------------------------------------------
# corpus builder
# ----------------------------------------------------------------------------------------
class Corpus:
    def __init__(self, seed: int = SEED):
        self.rng = random.Random(seed)
        self.signer = Signer(random.Random(seed + 1))
        self.cases = []
        self.counters = {}

    # -- primitives --------------------------------------------------------------------
    def add(self, category, profile, input_, mode="verify", now=NOW):
        assert profile in PROFILES, profile
        if mode == "verify":
            assert isinstance(input_, str) and input_ and not any(c.isspace() for c in input_), repr(input_)[:80]
        else:
            assert input_ is None or (isinstance(input_, str) and all(ord(c) < 256 for c in input_))
        n = self.counters.get(category, 0)
        self.counters[category] = n + 1
        self.cases.append({"id": f"{category}/{n}", "category": category, "profile": profile, "now": now,
                           "mode": mode, "input": input_})

    def add_profiles(self, category, profiles, input_, mode="verify", now=NOW):
        for p in profiles:
            self.add(category, p, input_, mode, now)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def email(self) -> str:
        names = ["alice", "bob", "zoë", "дмитрий", "李", "o'brien", "a+b", "x"]
        doms = ["example.org", "exämple.org", "пример.рф", "例え.jp"]
        return f"{self.rng.choice(names)}{self.rng.randint(0, 99)}@{self.rng.choice(doms)}"

    def session_payload(self, now=NOW, iss="myapp", **over):
        p = OrderedDict([("token", "session"), ("sid", self.uuid()), ("cid", self.rng.choice(["", "web", "mobile"])),
                         ("uid", self.rng.randint(1, 10_000)), ("email", self.email()), ("iat", now - 60),
                         ("iss", iss), ("aud", ["myapp"])])
        return self._override(p, dict(over, iss=iss))

    def auth_payload(self, now=NOW, iss="myapp", **over):
        p = OrderedDict([("token", "auth"), ("sid", self.uuid()), ("cid", self.rng.choice(["", "web", "mobile"])),
                         ("uid", self.rng.randint(1, 10_000)), ("email", self.email()), ("scopes", []),
                         ("iss", iss), ("aud", ["myapp", "otherapp"]), ("iat", now - 60), ("exp", now + 240)])
        return self._override(p, dict(over, iss=iss))

    @staticmethod
    def _override(p, over):
        for k, v in over.items():
            if v is _DEL:
                p.pop(k, None)
            else:
                p[k] = v
        return p

    @staticmethod
    def header(alg="RS256", kid="myapp-20200410", **extra):
        h = {} if alg is _DEL else {"alg": alg}
        if kid is not _DEL:
            h["kid"] = kid
        h["typ"] = "JWT"
        for k, v in extra.items():
            if v is _DEL:
                h.pop(k, None)
            else:
                h[k] = v
        return dict(sorted(h.items()))

    def token(self, payload=None, header=None, key="myapp-20200410", sign_alg=None, *, hraw: bytes = None,
              praw: bytes = None, hseg: str = None, pseg: str = None, salt=None) -> str:
        """Build a signed compact token; raw bytes / raw segments override the JSON."""
        if header is None:
            header = self.header(kid=key)
        if payload is None:
            payload = self.session_payload()
        hs = hseg if hseg is not None else b64(hraw if hraw is not None else jdump(header))
        ps = pseg if pseg is not None else b64(praw if praw is not None else jdump(payload))
        alg = sign_alg or (header.get("alg") if isinstance(header, dict) else None) or "RS256"
        if not isinstance(alg, str):
            alg = "RS256"
        signing_input = f"{hs}.{ps}".encode("utf-8")
        sig = self.signer.sign(alg, key, signing_input, salt=salt)
        return f"{hs}.{ps}.{b64(sig)}"

    def resign(self, hs: str, ps: str, alg="RS256", key="myapp-20200410") -> str:
        return f"{hs}.{ps}.{b64(self.signer.sign(alg, key, f'{hs}.{ps}'.encode()))}"

    # -- generation ---------------------------------------------------------------------
    def generate(self):
        # cat_* first, then the key-store categories (kcat_*), so that adding the latter left
        # the tokens of the former as they were.
        for prefix in ("cat_", "kcat_"):
            for name in sorted(n for n in dir(self) if n.startswith(prefix)):
                getattr(self, name)()
        return self.cases


# ---------------------------------------------------------------------------------------
# categories: every method cat_<name> adds cases; the category names are given to add().
# ---------------------------------------------------------------------------------------
def _unicode_digits(n: int, zero: int) -> str:
    return "".join(chr(zero + int(d)) for d in str(n))


def _time_values(anchor: int):
    """(label, python value or Raw marker text, is_raw) variants of a NumericDate around anchor."""
    a = anchor
    vals = [
        ("int", a, False), ("float", a + 0.5, False), ("float_int", float(a), False),
        ("str", str(a), False), ("str_padded", f" {a} ", False), ("str_tabs", f"\t{a}\n", False),
        ("str_nbsp", f"\u00a0{a}\u2003", False), ("str_plus", f"+{a}", False),
        ("str_underscores", f"{a:_}", False), ("str_bad_underscore", f"_{a}", False),
        ("str_arabic_indic", _unicode_digits(a, 0x660), False), ("str_fullwidth", _unicode_digits(a, 0xFF10), False),
        ("str_devanagari", _unicode_digits(a, 0x966), False), ("str_math_bold", _unicode_digits(a, 0x1D7CE), False),
        ("str_float", f"{a}.0", False), ("str_exp", "1e9", False), ("str_hex", "0x10", False), ("str_empty", "", False),
        ("str_space", " ", False), ("str_NaN", "NaN", False), ("str_inf", "inf", False),
        ("str_Infinity", "Infinity", False), ("str_neg", "-5", False),
        ("true", True, False), ("false", False, False), ("null", None, False),
        ("list_empty", [], False), ("list", [a], False), ("dict", {"t": a}, False),
        ("huge_int", 10 ** 30, False), ("neg_huge_int", -10 ** 30, False), ("u64_max_plus1", 2 ** 64, False),
        ("i64_max", 2 ** 63 - 1, False), ("i64_min_minus1", -2 ** 63 - 1, False), ("negative", -1, False),
        ("zero", 0, False), ("float_big", 1e300, False), ("float_tiny", 5e-324, False),
        ("raw_NaN", "NaN", True), ("raw_Infinity", "Infinity", True), ("raw_negInfinity", "-Infinity", True),
        ("raw_1e400", "1e400", True), ("raw_neg_1e400", "-1e400", True), ("raw_exp_form", f"{a / 1e9!r}e9", True),
        ("raw_neg_zero", "-0", True), ("raw_neg_zero_float", "-0.0", True),
        ("raw_4300_digits", "9" * 4300, True), ("raw_4301_digits", "9" * 4301, True),
    ]
    return vals


class Categories(Corpus):
    # ---- valid tokens ---------------------------------------------------------------
    def cat_valid_session(self):
        for i in range(60):
            key = ("myapp-20200410", "myapp-20180101")[i % 2]
            self.add("valid_session", "default", self.token(self.session_payload(), key=key))

    def cat_valid_auth(self):
        for i in range(60):
            key = ("myapp-20200410", "myapp-20180101")[i % 2]
            self.add("valid_auth", "default", self.token(self.auth_payload(), key=key))

    def cat_valid_otherapp(self):
        for i in range(20):
            p = (self.session_payload if i % 2 else self.auth_payload)(iss="otherapp")
            kid = "otherapp-2024" if i % 3 else _DEL
            self.add("valid_otherapp_issuer", "default",
                     self.token(p, self.header(kid=kid), key="otherapp-2024"))

    def cat_valid_across_profiles(self):
        toks = [self.token(self.session_payload()),
                self.token(self.auth_payload(), key="myapp-20180101"),
                self.token(self.auth_payload(iss="otherapp"), self.header(kid="otherapp-2024"), key="otherapp-2024"),
                self.token(self.auth_payload(aud="myapp", exp=NOW + 5))]
        for prof in PROFILES:
            for t in toks:
                self.add("valid_across_profiles", prof, t)

    def cat_valid_now2(self):
        for i in range(10):
            self.add("valid_session", "default", self.token(self.session_payload(now=NOW2)), now=NOW2)
            self.add("valid_auth", "leeway30", self.token(self.auth_payload(now=NOW2)), now=NOW2)

    # ---- time claims -----------------------------------------------------------------
    def cat_exp_boundary(self):
        for delta in (-3600, -31, -30, -29, -2, -1, 0, 1, 2, 29, 30, 31):
            t = self.token(self.auth_payload(exp=NOW + delta))
            self.add_profiles("exp_boundary", ["default", "leeway30", "no_exp", "no_sig"], t)
        for frac in (0.1, 0.5, 0.9, -0.1, -0.9):
            t = self.token(self.auth_payload(exp=NOW + frac))
            self.add_profiles("exp_boundary", ["default", "leeway30"], t)

    def cat_iat_future(self):
        for delta in (-1, 0, 1, 2, 29, 30, 31, 3600):
            t = self.token(self.session_payload(iat=NOW + delta))
            self.add_profiles("iat_future", ["default", "leeway30", "no_sig", "no_exp"], t)
        for frac in (0.5, 0.9, 1.1):
            self.add_profiles("iat_future", ["default", "leeway30"],
                              self.token(self.session_payload(iat=NOW + frac)))

    def cat_nbf(self):
        for delta in (-3600, -1, 0, 1, 2, 29, 30, 31):
            t = self.token(self.auth_payload(nbf=NOW + delta))
            self.add_profiles("nbf_boundary", ["default", "leeway30", "no_sig"], t)

    def _time_type_cases(self, claim, category, profiles, anchors):
        for anchor_label, anchor in anchors:
            for label, value, is_raw in _time_values(anchor):
                if anchor_label != "a" and label.startswith("raw_4"):
                    continue
                raw = Raw()
                base = self.auth_payload() if claim != "iat" else self.session_payload()
                base[claim] = raw(value) if is_raw else value
                t = self.token(praw=raw.dump(base))
                self.add_profiles(category, profiles, t)

    def cat_exp_types(self):
        self._time_type_cases("exp", "exp_types", ["default", "no_exp", "no_sig", "leeway30"],
                              [("a", NOW + HOUR), ("past", NOW - HOUR)])

    def cat_iat_types(self):
        self._time_type_cases("iat", "iat_types", ["default", "no_sig"], [("a", NOW - HOUR), ("future", NOW + HOUR)])

    def cat_nbf_types(self):
        self._time_type_cases("nbf", "nbf_types", ["default", "no_sig"], [("a", NOW - HOUR), ("future", NOW + HOUR)])

    # ---- aud -------------------------------------------------------------------------
    def cat_aud_forms(self):
        values = ["myapp", "other", ["myapp"], ["other"], ["other", "myapp"], [], ["myapp", 1], [1], [None],
                  ["myapp", None], {}, {"myapp": 1}, "", 0, 1, 1.5, True, False, None, _DEL, ["myapp", "myapp"],
                  [["myapp"]], "MYAPP", " myapp", "otherapp", ["otherapp"], "myappx"]
        profiles = ["default", "no_aud", "identity_absent", "identity_other", "identity_list", "all_off", "no_sig"]
        for v in values:
            t = self.token(self.auth_payload(aud=v))
            self.add_profiles("aud_forms", profiles, t)

    # ---- iss -------------------------------------------------------------------------
    def cat_iss_forms(self):
        profiles = ["default", "no_iss", "issuers_any", "issuers_myapp", "all_off", "no_sig"]
        self.add_profiles("iss_missing", profiles + ["weird_issuers"], self.token(self.auth_payload(iss=_DEL)))
        self.add_profiles("iss_missing", profiles, self.token(self.session_payload(iss=_DEL)))
        for v in [1, 0, 1.0, True, False, None, [], ["myapp"], {}, {"a": 1}, 10 ** 30, -1, 1e16]:
            t = self.token(self.auth_payload(iss=v))
            self.add_profiles("iss_non_string", profiles, t)
        for v in ["unknown", "", "MYAPP", "myapp ", " myapp", "otherapp", "myapp\u0000", "True"]:
            t = self.token(self.auth_payload(iss=v))
            self.add_profiles("iss_not_accepted", profiles, t)
        # otherapp token signed with the wrong issuer's key
        t = self.token(self.auth_payload(iss="otherapp"), self.header(kid="otherapp-2024"), key="myapp-20200410")
        self.add_profiles("iss_not_accepted", profiles, t)

    def cat_iss_str_coercion(self):
        values = [True, False, None, 1, 0, -1, 1.0, 1.5, 0.1, 1e16, 1e22, 1e-7, -0.0, 10 ** 30, [], {}, ["myapp"],
                  [1, [2]], {"a": 1}, ["it's"], ["é"], ["myapp", None, True], "True", "[]", 2.5, [1.0], "myapp"]
        for v in values:
            t = self.token(self.auth_payload(iss=v))
            self.add_profiles("iss_str_coercion", ["weird_issuers", "weird_issuers_noiss"], t)

    # ---- kid ---------------------------------------------------------------------------
    def cat_kid(self):
        P = ["default", "no_sig", "single_key"]
        cases = [
            ("kid_variants", "myapp-20200410", "myapp-20200410"), ("kid_variants", "myapp-20200410.pem", "myapp-20200410"),
            ("kid_variants", "myapp-20200410.PEM", "myapp-20200410"), ("kid_variants", "myapp-20180101", "myapp-20180101"),
            ("kid_variants", "myapp-20180101.pem", "myapp-20180101"), ("kid_variants", "myapp-20180101", "myapp-20200410"),
            ("kid_variants", "MYAPP-20200410", "myapp-20200410"), ("kid_variants", " myapp-20200410", "myapp-20200410"),
            ("kid_variants", "myapp-20200410.pem.pem", "myapp-20200410"), ("kid_variants", ".pem", "myapp-20200410"),
            ("kid_variants", "0", "myapp-20200410"),
            ("kid_unknown", "unknown", "myapp-20200410"), ("kid_unknown", "myapp-2020", "myapp-20200410"),
            ("kid_unknown", "../keys/myapp-20200410.pem", "myapp-20200410"),
            ("kid_other_issuer", "otherapp-2024", "otherapp-2024"), ("kid_other_issuer", "otherapp-2024", "myapp-20200410"),
            ("kid_empty", "", "myapp-20200410"), ("kid_empty", "", "myapp-20180101"),
            ("kid_absent", _DEL, "myapp-20200410"), ("kid_absent", _DEL, "myapp-20180101"),
        ]
        for cat, kid, key in cases:
            t = self.token(self.auth_payload(), self.header(kid=kid), key=key)
            self.add_profiles(cat, P, t)
        for kid in [1, 0, True, False, None, [], ["myapp-20200410"], {}, 1.5, {"kid": "myapp-20200410"}]:
            t = self.token(self.auth_payload(), self.header(kid=kid))
            self.add_profiles("kid_non_string", P, t)

    def cat_keystore(self):
        for kid, key in [("upper", "myapp-20200410"), ("upper.PEM", "myapp-20200410"), ("upper.pem", "myapp-20200410"),
                         ("UPPER", "myapp-20200410"), ("noext", "myapp-20180101"), ("noext.pem", "myapp-20180101"),
                         (_DEL, "myapp-20200410"), (_DEL, "myapp-20180101"), ("", "myapp-20200410"),
                         ("myapp-20200410", "myapp-20200410"), ("myapp-20200410.pem", "myapp-20200410"),
                         ("noext", "myapp-20200410")]:
            t = self.token(self.auth_payload(), self.header(kid=kid), key=key)
            self.add("keystore_variants", "keystore", t)
        for kid, key in [("privonly", "myapp-20200410"), ("privonly.pem", "myapp-20200410"), (_DEL, "myapp-20200410"),
                         ("myapp-20200410", "myapp-20200410"), ("", "myapp-20200410")]:
            t = self.token(self.auth_payload(), self.header(kid=kid), key=key)
            self.add("keystore_private_only_file", "keystore_privonly", t)
        for i in range(3):
            self.add("keystore_variants", "abs_keystore_root", self.token(self.auth_payload()))

    def cat_short_key(self):
        if "short_key" not in PROFILES:
            return
        for kid in ("test-only-1024", _DEL, "myapp-20200410"):
            for key in ("test-only-1024", "myapp-20200410"):
                t = self.token(self.auth_payload(), self.header(kid=kid), key=key)
                self.add_profiles("short_rsa_key", ["short_key", "default"], t)

    def cat_key_rotation(self):
        P = ["default", "single_key"]
        for i in range(6):
            self.add_profiles("key_rotation", P, self.token(self.session_payload(), self.header(kid="myapp-20180101"),
                                                            key="myapp-20180101"))
            self.add_profiles("key_rotation", P, self.token(self.session_payload(), self.header(kid=_DEL),
                                                            key="myapp-20180101"))
            self.add_profiles("key_rotation", P, self.token(self.session_payload(), self.header(kid="myapp-20200410"),
                                                            key="myapp-20180101"))

    # ---- alg ---------------------------------------------------------------------------
    def cat_alg_none(self):
        P = ["default", "algs_unset", "no_sig", "algs_none", "all_off"]
        for alg in ("none", "None", "NONE", "nOnE"):
            hs = b64(jdump(self.header(alg=alg)))
            ps = b64(jdump(self.auth_payload()))
            self.add_profiles("alg_none", P, f"{hs}.{ps}.")
            self.add_profiles("alg_none", P, f"{hs}.{ps}.{b64(b'garbage')}")
            self.add_profiles("alg_none", P, self.resign(hs, ps))

    def cat_alg_hs_confusion(self):
        P = ["default", "algs_unset", "algs_hs", "no_sig"]
        for alg in ("HS256", "HS384", "HS512"):
            for key in ("myapp-20200410", "myapp-20180101"):
                t = self.token(self.auth_payload(), self.header(alg=alg, kid=key), key=key)
                self.add_profiles("alg_hs256_confusion", P, t)

    def cat_alg_es(self):
        for alg in ("ES256", "ES384", "EdDSA"):
            t = self.token(self.auth_payload(), self.header(alg=alg), sign_alg="RS256")
            self.add_profiles("alg_es_with_rsa_key", ["default", "algs_unset", "algs_es", "no_sig"], t)

    def cat_alg_rsa_family(self):
        P = ["default", "algs_unset", "algs_null", "algs_empty", "algs_rs_ps", "algs_all_rsa", "encode_ps256",
             "encode_rs512", "no_sig"]
        for alg in ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512"):
            for key in ("myapp-20200410", "myapp-20180101"):
                t = self.token(self.auth_payload(), self.header(alg=alg, kid=key), key=key)
                self.add_profiles("alg_rsa_family", P, t)
            t = self.token(self.auth_payload(iss="otherapp"), self.header(alg=alg, kid="otherapp-2024"),
                           key="otherapp-2024")
            self.add_profiles("alg_rsa_family", ["algs_all_rsa"], t)
        # header says one alg, signature made with another
        for halg, salg in [("PS256", "RS256"), ("RS256", "PS256"), ("RS256", "RS384"), ("PS384", "PS256"),
                           ("RS512", "RS256")]:
            t = self.token(self.auth_payload(), self.header(alg=halg), sign_alg=salg)
            self.add_profiles("alg_mismatch_signature", ["algs_all_rsa", "no_sig"], t)

    def cat_alg_missing(self):
        P = ["default", "algs_unset", "no_sig", "algs_all_rsa"]
        for alg in [_DEL, None, "", 1, ["RS256"], {"RS256": 1}, "rs256", "Rs256", "RS256 ", " RS256", "RS 256",
                    "RS256\u0000", True]:
            t = self.token(self.auth_payload(), self.header(alg=alg), sign_alg="RS256")
            self.add_profiles("alg_missing_or_odd", P, t)

    # ---- signature -----------------------------------------------------------------------
    def cat_bad_signature(self):
        P = ["default", "no_sig"]
        for i in range(4):
            good = self.token(self.auth_payload())
            hs, ps, ss = good.split(".")
            sig = base64.urlsafe_b64decode(ss + "==")
            flipped = bytearray(sig)
            flipped[self.rng.randrange(len(sig))] ^= 1 << self.rng.randrange(8)
            variants = [
                b64(bytes(flipped)),
                "",
                b64(sig[:-1]),
                b64(sig[1:]),
                b64(sig + b"\x00"),
                b64(b"\x00" + sig),
                b64(b"\x00" * len(sig)),
                b64(b"\xff" * len(sig)),
                b64(self.signer.sign("RS256", "myapp-20180101", f"{hs}.{ps}".encode())),
                b64(self.signer.sign("RS256", "otherapp-2024", f"{hs}.{ps}".encode())),
                b64(self.signer.sign("RS256", "myapp-20200410", f"{hs}.{ps}x".encode())),
                b64(PRIV["myapp-20200410"].public_key().public_numbers().n.to_bytes(256, "big")),
                b64(sig * 2),
            ]
            for v in variants:
                self.add_profiles("bad_signature", P, f"{hs}.{ps}.{v}")

    # jti counters whose signature starts with 0x00 for the fixed payload below (found by a full
    # search; kept so generation stays fast -- the search falls back to scanning if a hint fails)
    LEADING_ZERO_HINTS = {"PS256": [318, 450], "PS384": [183, 248], "PS512": [107, 154], "RS256": [616, 658]}

    @staticmethod
    def _lz_payload(n):
        return OrderedDict([("token", "auth"), ("sid", "lz-sid"), ("uid", 7), ("iss", "myapp"), ("aud", ["myapp"]),
                            ("iat", NOW - 60), ("exp", NOW + 240), ("jti", f"lz{n}")])

    def _lz_sig(self, alg, n):
        hs = b64(jdump(self.header(alg=alg)))
        ps = b64(jdump(self._lz_payload(n)))
        msg = f"{hs}.{ps}".encode()
        if alg.startswith("PS"):
            hlen = _HASHES[alg[2:]][1]().digest_size
            salt = hashlib.sha512(f"salt-{alg}".encode()).digest()[:hlen]
            return hs, ps, pss_sign(PRIV["myapp-20200410"], msg, alg[2:], salt)
        return hs, ps, self.signer.sign(alg, "myapp-20200410", msg)

    def _lz_find(self, alg, want=2):
        found = []
        candidates = list(self.LEADING_ZERO_HINTS.get(alg, [])) + list(range(20000))
        seen = set()
        for n in candidates:
            if n in seen:
                continue
            seen.add(n)
            hs, ps, sig = self._lz_sig(alg, n)
            if sig[0] == 0:
                found.append((n, hs, ps, sig))
                if len(found) >= want:
                    break
        return found

    def cat_sig_leading_zero(self):
        """Signatures whose first byte is 0x00 with that byte stripped (OpenSSL accepts this for PSS)."""
        for alg, prof in [("PS256", "algs_rs_ps"), ("PS384", "algs_all_rsa"), ("PS512", "algs_all_rsa"),
                          ("RS256", "default")]:
            for n, hs, ps, sig in self._lz_find(alg):
                self.add_profiles("sig_leading_zero_stripped", sorted({prof, "default", "algs_unset", "algs_all_rsa"}),
                                  f"{hs}.{ps}.{b64(sig[1:])}")
                self.add("sig_leading_zero_stripped", prof, f"{hs}.{ps}.{b64(sig)}")
                self.add("sig_leading_zero_stripped", prof, f"{hs}.{ps}.{b64(sig[2:])}")
        # PSS / PKCS#1 signatures with an extra leading zero byte (257 bytes)
        for alg in ("PS256", "RS256"):
            hs, ps, sig = self._lz_sig(alg, 0)
            self.add("sig_leading_zero_stripped", "algs_rs_ps", f"{hs}.{ps}.{b64(bytes(1) + sig)}")

    # ---- base64 ------------------------------------------------------------------------
    def _payload_with_len_residue(self, residue: int):
        for k in range(0, 12):
            p = self.auth_payload(pad="x" * k)
            if len(b64(jdump(p))) % 4 == residue:
                return p
        raise AssertionError

    def _header_with_len_residue(self, residue: int):
        for k in range(0, 12):
            h = self.header(x="y" * k)
            if len(b64(jdump(h))) % 4 == residue:
                return h
        raise AssertionError

    def cat_b64_padding(self):
        P = ["default", "no_sig"]
        for residue in (0, 2, 3):
            for seg in ("header", "payload"):
                h = self._header_with_len_residue(residue) if seg == "header" else self.header()
                p = self._payload_with_len_residue(residue) if seg == "payload" else self.auth_payload()
                hs, ps = b64(jdump(h)), b64(jdump(p))
                for npad in (1, 2, 3):
                    if seg == "header":
                        hs2, ps2 = hs + "=" * npad, ps
                    else:
                        hs2, ps2 = hs, ps + "=" * npad
                    # signature over the original (unpadded) input, and over the padded input
                    orig_sig = b64(self.signer.sign("RS256", "myapp-20200410", f"{hs}.{ps}".encode()))
                    self.add_profiles("b64_padding", P, f"{hs2}.{ps2}.{orig_sig}")
                    self.add_profiles("b64_padding", P, self.resign(hs2, ps2))
        for key in ("myapp-20200410", "otherapp-2024"):
            iss = "otherapp" if key.startswith("other") else "myapp"
            t = self.token(self.auth_payload(iss=iss), self.header(kid=key), key=key)
            for npad in (1, 2, 3):
                self.add_profiles("b64_padding", P, t + "=" * npad)
        # padding in the middle / only padding
        t = self.token(self.auth_payload())
        hs, ps, ss = t.split(".")
        self.add_profiles("b64_padding", P, f"{hs}.{ps}.{ss[:10]}={ss[10:]}")
        self.add_profiles("b64_padding", P, f"=.{ps}.{ss}")
        self.add_profiles("b64_padding", P, f"{hs}.==.{ss}")

    def cat_b64_noncanonical(self):
        P = ["default", "no_sig"]
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        for residue in (2, 3):
            for seg in ("header", "payload", "signature"):
                h = self._header_with_len_residue(residue) if seg == "header" else self.header()
                p = self._payload_with_len_residue(residue) if seg == "payload" else self.auth_payload()
                hs, ps = b64(jdump(h)), b64(jdump(p))
                ss = b64(self.signer.sign("RS256", "myapp-20200410", f"{hs}.{ps}".encode()))
                segs = {"header": hs, "payload": ps, "signature": ss}
                s = segs[seg]
                if len(s) % 4 != residue and seg != "signature":
                    continue
                unused = 4 if len(s) % 4 == 2 else 2
                idx = alphabet.index(s[-1])
                for bits in sorted({1, (1 << unused) - 1}):
                    mod = s[:-1] + alphabet[(idx & ~((1 << unused) - 1)) | bits]
                    segs2 = dict(segs, **{seg: mod})
                    self.add_profiles("b64_noncanonical", P, f"{segs2['header']}.{segs2['payload']}.{segs2['signature']}")
                    if seg != "signature":
                        self.add_profiles("b64_noncanonical", P, self.resign(segs2["header"], segs2["payload"]))

    def cat_b64_alphabet(self):
        P = ["default", "no_sig"]
        t = self.token(self.auth_payload())
        hs, ps, ss = t.split(".")
        for ch in ["+", "/", "!", "~", "%", "*", "é", "\u0000", "\u007f", "ÿ", "😀", "-", "_", "\\", "\""]:
            for which in range(3):
                segs = [hs, ps, ss]
                s = segs[which]
                segs[which] = s[:5] + ch + s[6:]
                self.add_profiles("b64_alphabet", P, ".".join(segs))
        # standard-alphabet encoding of everything
        std = lambda b: base64.b64encode(b).rstrip(b"=").decode()
        h = jdump(self.header(x="??>>??"))
        p = jdump(self.auth_payload(pad="???>>>~~~"))
        hs2, ps2 = std(h), std(p)
        sig = self.signer.sign("RS256", "myapp-20200410", f"{hs2}.{ps2}".encode())
        self.add_profiles("b64_alphabet", P, f"{hs2}.{ps2}.{std(sig)}")
        self.add_profiles("b64_alphabet", P, f"{b64(h)}.{b64(p)}.{std(self.signer.sign('RS256', 'myapp-20200410', f'{b64(h)}.{b64(p)}'.encode()))}")

    def cat_segments(self):
        P = ["default", "no_sig"]
        t = self.token(self.auth_payload())
        hs, ps, ss = t.split(".")
        for v in [hs, f"{hs}.{ps}", f"{hs}.{ps}.{ss}.{ss}", f"{hs}.{ps}.{ss}.", f"{hs}.{ps}.{ss}..",
                  f"{hs}.{ps}.{ss}.x.y", f".{hs}.{ps}.{ss}", f"{hs}..{ss}", f"{hs}.{ps}.", f".{ps}.{ss}",
                  ".", "..", "...", "....", "a", "a.b", "a.b.c", f"{hs}.{ps}{ss}", f"{hs}{ps}.{ss}",
                  f"{hs}.{hs}.{ps}.{ss}", self.resign(f"{hs}.{ps}", ps), self.resign(hs, f"{ps}.{ps}")]:
            self.add_profiles("segments", P, v)

    # ---- JSON structure -------------------------------------------------------------------
    def cat_json_non_object(self):
        P = ["default", "no_sig"]
        for raw in [b"[]", b'["alg","RS256"]', b'"RS256"', b"1", b"null", b"true", b"1.5", b'""']:
            self.add_profiles("json_non_object", P, self.token(self.auth_payload(), hraw=raw, sign_alg="RS256"))
            self.add_profiles("json_non_object", P, self.token(praw=raw))

    def cat_json_invalid(self):
        P = ["default", "no_sig"]
        good_h = jdump(self.header())
        good_p = jdump(self.auth_payload())
        bad = [b"", b"{", b"{}}", b"{'a':1}", b'{"a":1,}', b"{/*c*/}", b'{"a" 1}', b"\x00", b'{"a":1}x',
               b'{"a":1} {"b":2}', b"{\"a\":tru}", b"{\"a\":nul}", b"{\"a\":01}", b"{\"a\":1.}", b"{\"a\":.5}",
               b"{\"a\":+1}", b"{\"a\":-}", b"{\"a\":1e}", b"{\"a\":0x10}", b"{\"a\":\"\\x41\"}",
               b"{\"a\":\"\\U0001F600\"}", b"{\"a\":\"\\u12\"}", b"{\"a\":Infinityx}", b"{\"a\":nan}", b"{a:1}"]
        for raw in bad:
            self.add_profiles("json_invalid", P, self.token(self.auth_payload(), hraw=raw, sign_alg="RS256"))
            self.add_profiles("json_invalid", P, self.token(praw=raw))
        # whitespace around / inside JSON: JSON whitespace is fine, other whitespace is not
        for ws in [b" ", b"\t", b"\n", b"\r\n", b"\x0b", b"\x0c", b"\xc2\xa0", b"\xe2\x80\x83", b"\x1c"]:
            self.add_profiles("json_whitespace", P, self.token(self.auth_payload(), hraw=ws + good_h + ws))
            self.add_profiles("json_whitespace", P, self.token(praw=ws + good_p + ws))
            self.add_profiles("json_whitespace", P, self.token(praw=good_p.replace(b",", ws + b"," + ws, 2)))

    def cat_json_duplicate_keys(self):
        P = ["default", "no_sig"]
        p = self.auth_payload()
        base = jdump(p)[:-1]
        for extra in [b',"iss":"evil"', b',"aud":"nope"', b',"exp":1', b',"token":"x"', b',"uid":0', b',"uid":7',
                      b',"token":"auth"', b',"exp":' + str(NOW + 999).encode(), b',"scopes":{"a":1}',
                      b',"sid":null']:
            self.add_profiles("json_duplicate_keys", P, self.token(praw=base + extra + b"}"))
        # first occurrence wins the position, last occurrence the value
        self.add_profiles("json_duplicate_keys", P, self.token(
            praw=b'{"iss":"evil","token":"auth","iss":"myapp","sid":"s","uid":1,"aud":"myapp","exp":'
                 + str(NOW + 60).encode() + b',"token":"session","z":1,"z":2.0}'))
        h = jdump(self.header())[:-1]
        for extra in [b',"alg":"none"', b',"kid":"unknown"', b',"alg":"RS256"', b',"kid":"myapp-20180101"',
                      b',"typ":1', b',"kid":1']:
            self.add_profiles("json_duplicate_keys", P, self.token(self.auth_payload(), hraw=h + extra + b"}",
                                                                   sign_alg="RS256"))
        self.add_profiles("json_duplicate_keys", P, self.token(
            self.auth_payload(), hraw=b'{"alg":"none","kid":"myapp-20200410","alg":"RS256"}', sign_alg="RS256"))

    def cat_json_nesting(self):
        P = ["default", "no_sig"]
        for depth in (1, 10, 100, 126, 127, 128, 129, 130, 200, 500, 800, 1500, 2500):
            for kind in ("list", "dict"):
                if kind == "list":
                    raw_val = "[" * depth + "]" * depth
                else:
                    raw_val = '{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)
                raw = Raw()
                p = self.auth_payload(n=raw(raw_val))
                self.add_profiles("json_nesting", P, self.token(praw=raw.dump(p)))
        for depth in (10, 127, 128, 129, 800, 1500):
            raw = Raw()
            h = self.header(n=raw("[" * depth + "]" * depth))
            self.add_profiles("json_nesting", P, self.token(self.auth_payload(), hraw=raw.dump(h)))

    def cat_json_strings(self):
        P = ["default", "no_sig"]
        snippets = [
            ('"zo\u00eb"', True), ('"\\u00e9t\\u00e9"', True), ('"\\ud83d\\ude00"', True), ('"\U0001F600"', True),
            ('"\\ud800"', True), ('"\\udfff"', True), ('"x\\ud800y"', True), ('"\\ude00\\ud83d"', True),
            ('"\\ud83d"', True), ('"\\ud83dx"', True), ('"\\ud83d\\u0041"', True), ('"\\u0000"', True),
            ('"\\/\\b\\f\\n\\r\\t\\"\\\\"', True), ('"\\uD83D\\uDE00"', True), ('"\\uFFFF\\uFFFE"', True),
            ('"\u2028\u2029"', True), ('"\u007f"', True),
        ]
        for text, _ in snippets:
            raw = Raw()
            p = self.auth_payload(email=raw(text))
            self.add_profiles("json_strings", P, self.token(praw=raw.dump(p)))
        # raw bytes inside a JSON string
        for bad in [b"\xed\xa0\x80", b"\xed\xa0\xbd\xed\xb8\x80", b"\xff", b"\xc0\xaf", b"\xe2\x82", b"\xf4\x90\x80\x80",
                    b"\x01", b"\t", b"\x1f", b"\xc3\xa9", b"\xf0\x9f\x98\x80", b"\xef\xbf\xbf"]:
            p = jdump(self.auth_payload(email="@@X@@")).replace(b"@@X@@", bad)
            self.add_profiles("json_raw_bytes", P, self.token(praw=p))
        # unicode / escaped keys
        for key in ["é", "\\u00e9", "\\ud800", "", "😀", "\\ud83d\\ude00", "a\\u0000b", "token\\u0020"]:
            p = jdump(self.auth_payload())[:-1] + b',"' + key.encode() + b'":1}'
            self.add_profiles("json_strings", P, self.token(praw=p))
        # header string fields
        for typ in ['"JW\\u0054"', '"J\u00e9"', '"\\ud800"', '"\U0001F600"']:
            raw = Raw()
            self.add_profiles("json_strings", P, self.token(self.auth_payload(), hraw=raw.dump(self.header(typ=raw(typ)))))
        raw = Raw()
        self.add_profiles("json_strings", P, self.token(self.auth_payload(),
                                                         hraw=raw.dump(self.header(kid=raw('"myapp-2020\\u00304\\u00310"')))))

    def cat_json_nonfinite(self):
        P = ["default", "no_sig"]
        for lit in ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1E309", "[NaN]", '{"a":Infinity}']:
            raw = Raw()
            self.add_profiles("json_nonfinite", P, self.token(praw=raw.dump(self.auth_payload(x=raw(lit)))))
            raw = Raw()
            self.add_profiles("json_nonfinite", P, self.token(self.auth_payload(),
                                                               hraw=raw.dump(self.header(x=raw(lit)))))
        for claim in ("sid", "uid", "aud", "token", "iss"):
            raw = Raw()
            self.add_profiles("json_nonfinite", P, self.token(praw=raw.dump(self.auth_payload(**{claim: raw("NaN")}))))

    def cat_json_numbers(self):
        P = ["default", "no_sig"]
        for lit in ["1.0", "1e2", "1E2", "1e+2", "1E-2", "-0", "-0.0", "0.0", "0.1", "0.30000000000000004",
                    "1.7976931348623157e308", "5e-324", "1e-400", "-1e-400", "2.5e-310", "1e16", "1e22", "1e21",
                    "123456789012345678901234567890", "-123456789012345678901234567890", "9007199254740993",
                    "18446744073709551615", "18446744073709551616", "-9223372036854775808", "-9223372036854775809",
                    "9" * 4300, "-" + "9" * 4300, "9" * 4301, "1" * 5000, "0e0", "100000000000000000000.0",
                    "1.000000000000000000001", "4.9406564584124654e-324", "123456789.123456789e3"]:
            raw = Raw()
            self.add_profiles("json_numbers", P, self.token(praw=raw.dump(self.auth_payload(x=raw(lit)))))
        for lit in ["123456789012345678901234567890", "1e16", "-0.0", "1.5"]:
            raw = Raw()
            self.add_profiles("json_numbers", P, self.token(self.auth_payload(), hraw=raw.dump(self.header(x=raw(lit)))))
        for claim, lit in [("uid", "123456789012345678901234567890"), ("uid", "1.0"), ("uid", "1e2"), ("sid", "-0.0"),
                           ("uid", "-0"), ("uid", "9" * 4301)]:
            raw = Raw()
            self.add_profiles("json_numbers", P, self.token(praw=raw.dump(self.auth_payload(**{claim: raw(lit)}))))

    def cat_json_encoding(self):
        P = ["default", "no_sig"]
        h = json.dumps(self.header(), separators=(",", ":"))
        p = json.dumps(self.auth_payload(email="zoë@exämple.org"), separators=(",", ":"), ensure_ascii=False)
        for enc in ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be", "latin-1",
                    "cp1252"]:
            self.add_profiles("json_encoding", P, self.token(self.auth_payload(), hraw=h.encode(enc)))
            self.add_profiles("json_encoding", P, self.token(praw=p.encode(enc)))
        self.add_profiles("json_encoding", P, self.token(praw=b"\xef\xbb\xbf\xef\xbb\xbf" + p.encode()))
        self.add_profiles("json_encoding", P, self.token(praw=b"\xfe\xff" + p.encode()))

    # ---- JOSE header ---------------------------------------------------------------------
    def cat_crit(self):
        P = ["default", "no_sig"]
        p = self.auth_payload()
        forms = [
            {"crit": ["b64"], "b64": True}, {"crit": ["b64"], "b64": False}, {"crit": ["b64"]},
            {"crit": ["exp"]}, {"crit": ["exp"], "exp": 1}, {"crit": []}, {"crit": "b64", "b64": True},
            {"crit": [1]}, {"crit": None}, {"crit": {}}, {"crit": ["b64", "b64"], "b64": True},
            {"crit": ["b64", "x"], "b64": True, "x": 1}, {"crit": [None]}, {"crit": ["B64"], "B64": True},
        ]
        for extra in forms:
            h = self.header(**extra)
            t = self.token(p, h, sign_alg="RS256")
            self.add_profiles("crit_header", P, t)
            hs, ps, ss = t.split(".")
            self.add_profiles("crit_header", P, self.resign(hs, ""))  # detached form

    def cat_b64_false(self):
        P = ["default", "no_sig"]
        p = self.auth_payload()
        for extra in [{"b64": False}, {"b64": False, "crit": ["b64"]}, {"b64": 0}, {"b64": "false"}, {"b64": None},
                      {"b64": True}, {"b64": 0, "crit": ["b64"]}, {"b64": []}]:
            h = self.header(**extra)
            t = self.token(p, h, sign_alg="RS256")
            hs, ps, ss = t.split(".")
            self.add_profiles("b64_false", P, t)
            self.add_profiles("b64_false", P, self.resign(hs, ""))
            self.add_profiles("b64_false", P, f"{hs}..{ss}")

    def cat_header_fields(self):
        P = ["default", "no_sig"]
        p = self.auth_payload()
        forms = [{"typ": _DEL}, {"typ": "JOSE"}, {"typ": 1}, {"typ": None}, {"cty": "JWT"}, {"jku": "http://evil/"},
                 {"x5u": "http://evil/"}, {"jwk": {"kty": "RSA"}}, {"zip": "DEF"}, {"unknown": [1, {"a": None}]},
                 {"x": 1.0}, {"x": -0.0}, {"x": "é"}]
        for extra in forms:
            self.add_profiles("header_extra_fields", P, self.token(p, self.header(**extra)))
        # unsorted header
        self.add_profiles("header_extra_fields", P, self.token(p, hraw=b'{"typ":"JWT","kid":"myapp-20200410","alg":"RS256"}'))
        self.add_profiles("header_extra_fields", P, self.token(p, hraw=b'{"kid":"myapp-20200410","alg":"RS256"}'))

    # ---- payload claims ------------------------------------------------------------------
    def cat_token_claim(self):
        P = ["default", "no_sig"]
        for v in ["session", "auth", "Session", "AUTH", "authorization", "", None, 1, True, ["auth"], {"auth": 1},
                  _DEL, "auth ", "session\u0000", "refresh"]:
            self.add_profiles("token_claim", P, self.token(self.auth_payload(token=v)))

    def cat_sid_uid(self):
        P = ["default", "no_sig"]
        falsy = [_DEL, 0, "", [], False, {}, 0.0, None, -0.0]
        truthy = ["0", [0], {"a": 1}, True, -1, 0.5, " ", 1e-300, "false", [None], "None", 10 ** 30]
        for claim in ("sid", "uid"):
            for v in falsy:
                self.add_profiles("sid_uid_falsy", P, self.token(self.auth_payload(**{claim: v})))
            for v in truthy:
                self.add_profiles("sid_uid_truthy_odd", P, self.token(self.auth_payload(**{claim: v})))

    def cat_sub_jti(self):
        P = ["default", "no_sig", "all_off"]
        for claim in ("sub", "jti"):
            for v in ["x", "", 1, 0, None, [], ["x"], {"a": 1}, True, 1.5]:
                self.add_profiles("sub_jti_types", P, self.token(self.auth_payload(**{claim: v})))

    def cat_extra_claims(self):
        P = ["default"]
        values = [None, True, False, 0, -1, 1.0, 0.1, 1e16, 1e22, 1e-7, 5.0, -0.0, 2 ** 53 + 1, 2 ** 63, 2 ** 64 + 1,
                  -2 ** 63, "", "é", "\u0000", "😀", [], {}, [1, "a", None, [2.5]], {"b": {"c": [True, {}]}},
                  {"z": 1, "a": 2, "m": 3}, "\u2028", 1.7976931348623157e308, 5e-324, 123.456, 1e-300, 100.0]
        for v in values:
            self.add_profiles("extra_claim_types", P, self.token(self.auth_payload(extra=v)))
        for key in ["é", "😀", "", " ", "ключ", "a.b", "$ref", "__proto__", "constructor", "iss ", "ISS"]:
            self.add_profiles("extra_claim_types", P, self.token(self.auth_payload(**{key: key or 1})))

    def cat_payload_order(self):
        for i in range(20):
            p = self.auth_payload(extra=i, zz=[i], aa={"y": 1, "x": 2})
            items = list(p.items())
            self.rng.shuffle(items)
            self.add("payload_key_order", "default", self.token(OrderedDict(items)))

    def cat_oversize(self):
        P = ["default"]
        for target in (4000, 8000, 8191, 8192, 8193, 9000, 16384):
            tok = self._token_of_len(target)
            self.add_profiles("oversize_token", P, tok)

    def _token_of_len(self, target):
        base = self.auth_payload()
        sig_len = len(b64(bytes(256)))
        for extra_h in range(0, 6):
            h = self.header(x="y" * extra_h) if extra_h else self.header()
            hs = b64(jdump(h))
            for k in range(max(0, (target * 3) // 4 - 600), target):
                p = OrderedDict(base)
                p["blob"] = "b" * k
                length = len(hs) + 1 + len(b64(jdump(p))) + 1 + sig_len
                if length == target:
                    return self.token(p, h)
                if length > target:
                    break
        raise AssertionError(f"could not hit length {target}")

    # ---- Authorization header forms (authenticate mode) --------------------------------------
    def cat_header_forms(self):
        t = self.token(self.auth_payload())
        P = ["default"]
        forms = [f"JWT {t}", f"jwt {t}", f"Jwt {t}", f"jWT {t}", "JWT", "JWT ", "jwt", f"JWT a b", f"JWT {t} extra",
                 f"JWT {t} {t}", f"Bearer {t}", f"JWT{t}", f"JWT\t{t}", f" JWT {t} ", f"  JWT  {t}  ", f"JWT  {t}",
                 "", " ", "   ", f"Token {t}", "JWT x", "JWT .", f"JWT\t\t{t}\t", f"Basic {t}", f"JWT {t}\n",
                 f"JWT {t[:-1]}", "JWT null", f"JWT JWT {t}", f"jwt\t{t}"]
        for f in forms:
            self.add_profiles("header_forms", P, f, mode="authenticate")
        self.add_profiles("header_forms", P, None, mode="authenticate")
        self.add_profiles("header_forms", ["no_sig"], f"JWT {t}", mode="authenticate")

    def cat_header_separators(self):
        t = self.token(self.auth_payload())
        for sep in ["\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0", "\x00", "\r\n", " \x0b "]:
            self.add("header_whitespace_bytes", "default", f"JWT{sep}{t}", mode="authenticate")
            self.add("header_whitespace_bytes", "default", f"JWT {t}{sep}", mode="authenticate")
            self.add("header_whitespace_bytes", "default", f"{sep}JWT {t}", mode="authenticate")

    def cat_header_bytes(self):
        t = self.token(self.auth_payload())
        hs, ps, ss = t.split(".")
        for v in ["JWT \xff", f"JWT {t}\xff", "JWT \xc3\xa9", "JWT \xe9", f"\xffJWT {t}", f"JWT\xa0{t}",
                  f"JWT {hs}.{ps}\xc3\xa9.{ss}", f"JWT {hs}.{ps}.{ss}\x80", "JWT \xed\xa0\x80", "JWT \xc0\xaf",
                  f"JWT \xef\xbb\xbf{t}", "JWT \xf0\x9f\x98\x80", "\xe9JWT x", "JWT\xe9 x", f"JWT {t}\x7f",
                  f"JWT {t}\x00"]:
            self.add("header_non_utf8", "default", v, mode="authenticate")

    def cat_header_setting(self):
        t = self.token(self.auth_payload())
        for v in [f"Bearer {t}", f"bearer {t}", f"JWT {t}", "Bearer", f"Bearer {t} x", None, f"BEARER\t{t}"]:
            self.add("authenticate_header_setting", "bearer", v, mode="authenticate")

    def cat_authenticate_valid(self):
        for i in range(15):
            t = self.token(self.auth_payload() if i % 2 else self.session_payload(),
                           key=("myapp-20200410", "myapp-20180101")[i % 2])
            self.add("authenticate_mode_tokens", "default", f"JWT {t}", mode="authenticate")
        for t in [self.token(self.auth_payload(exp=NOW - 1)), self.token(self.auth_payload(iss=5)),
                  self.token(self.auth_payload(), self.header(kid="zzz")), "a.b.c"]:
            self.add("authenticate_mode_tokens", "default", f"JWT {t}", mode="authenticate")

    # ---- EC / EdDSA key stores, mixed stores, key-file failures (issue 13) ------------------
    # Run after every cat_* method (see generate), with their own random streams, so the
    # older categories keep their tokens.
    def _kt(self, alg, kid, signer, payload=None, sig=None, **hextra):
        """A token with header {alg, kid (or none), typ} signed by `signer` (PRIV name) as PyJWT
        signs `alg`, or carrying the raw signature `sig`."""
        header = self.header(alg=alg, kid=kid, **hextra)
        hs, ps = b64(jdump(header)), b64(jdump(payload if payload is not None else self.auth_payload()))
        if sig is None:
            sig = self.signer.sign(alg, signer, f"{hs}.{ps}".encode()) if isinstance(alg, str) else b""
        elif callable(sig):
            sig = sig(f"{hs}.{ps}".encode())
        return f"{hs}.{ps}.{b64(sig)}"

    def _junk(self, n):
        return bytes(self.krng.getrandbits(8) for _ in range(n))

    def _kinit(self):
        if not hasattr(self, "krng"):
            self.krng = random.Random(SEED + 13)
            self.rng = random.Random(SEED + 14)  # payload uuids / emails of the kcat_* cases

    @staticmethod
    def _stem(file):
        return file[:-4] if file.lower().endswith(".pem") else file

    def _matrix_sig(self, alg, signer):
        """The most plausible signature of `alg` that `signer` can make (its own curve / key)."""
        from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

        key = PRIV.get(signer)
        if alg in ES_HASH and isinstance(key, ec.EllipticCurvePrivateKey):
            return None  # Signer: the key's curve, alg's hash
        if alg == "EdDSA" and isinstance(key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)):
            return None
        if alg[:2] in ("RS", "PS") and isinstance(key, rsa.RSAPrivateKey):
            return None
        if alg == "none":
            return b""
        if alg == "HS256":
            return None
        return lambda msg: self._junk(64)

    def kcat_a_ec_valid(self):
        self._kinit()
        for file, signer, fits in EC_STORE_FILES:
            if fits not in EC_ALGS or file.startswith("gen-ec-p256-privonly") or "secp256k1-explicit" in file:
                continue
            cat = "ed_valid" if fits == "EdDSA" else "ec_valid"
            algs = ["ES512", "ES521"] if fits == "ES512" else [fits]
            for alg in algs:
                for i, make in enumerate((self.auth_payload, self.session_payload)):
                    kid = self._stem(file) if i == 0 else file
                    t = self._kt(alg, kid, signer, make())
                    self.add_profiles(cat, ["ec_store", "ec_store_nosig"], t)
                    if alg == "ES256":
                        self.add(cat, "ec_encode_es256", t)
                    if alg == "EdDSA":
                        self.add(cat, "ec_encode_eddsa", t)
                    if fits == "ES512":
                        self.add("ec_es512_es521", "ec_store_es521_only", t)
        # another clock, and no kid: the first file of the list (P-256) decides
        for alg, signer in [("ES256", "test-only-ec-p256"), ("ES384", "test-only-ec-p384"),
                            ("ES256K", "test-only-ec-secp256k1"), ("EdDSA", "test-only-ed25519"),
                            ("ES256", "test-only-ec-secp256k1"), ("ES512", "test-only-ec-p521")]:
            self.add_profiles("ec_kid_absent", ["ec_store", "ec_store_nosig"], self._kt(alg, _DEL, signer))
            self.add_profiles("ec_kid_absent", ["ec_store"], self._kt(alg, "", signer))
        for file in ("test-only-ec-p256.pem", "test-only-ec-p521-sec1.pem", "test-only-ed448.pem"):
            signer = next(s for f, s, _ in EC_STORE_FILES if f == file)
            alg = next(a for f, _, a in EC_STORE_FILES if f == file)
            self.add("ec_valid", "ec_store", self._kt(alg, self._stem(file), signer, self.auth_payload(now=NOW2)),
                     now=NOW2)
            self.add("ec_valid", "ec_store", self._kt(alg, self._stem(file), signer, self.auth_payload(exp=NOW - 1)))

    def kcat_b_key_matrix(self):
        """Every key file of the EC store with every alg name: PyJWT's prepare_key table."""
        self._kinit()
        for file, signer, fits in EC_STORE_FILES:
            if file.startswith("gen-") or "secp256k1-explicit" in file:
                cat = "keymatrix_file_forms"
            elif fits in ("EdDSA",):
                cat = "keymatrix_ed"
            elif fits == "RSA":
                cat = "keymatrix_rsa"
            elif fits is None:
                cat = "keymatrix_unusable"
            else:
                cat = "keymatrix_ec"
            for alg in MATRIX_ALGS:
                t = self._kt(alg, self._stem(file), signer, sig=self._matrix_sig(alg, signer))
                self.add_profiles(cat, ["ec_store", "ec_store_nosig"], t)
                if alg in ("RS256", "ES256", "EdDSA"):
                    self.add(cat, "ec_store_rsa_algs", t)

    def kcat_c_ec_signature_forms(self):
        """ECDSA signature encodings: PyJWT wants raw r||s of exactly 2 * field bytes."""
        from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

        self._kinit()
        for file, signer, alg in [("test-only-ec-p256", "test-only-ec-p256", "ES256"),
                                  ("test-only-ec-p384-sec1", "test-only-ec-p384", "ES384"),
                                  ("test-only-ec-p521", "test-only-ec-p521", "ES512"),
                                  ("test-only-ec-p521-explicit", "test-only-ec-p521", "ES521"),
                                  ("test-only-ec-secp256k1", "test-only-ec-secp256k1", "ES256K")]:
            key = PRIV[signer]
            n = EC_ORDER[key.curve.name]
            size = ec_field_bytes(key)

            def forms(msg, key=key, n=n, size=size, alg=alg):
                raw = ec_sign_raw(key, alg, msg)
                r, s = int.from_bytes(raw[:size], "big"), int.from_bytes(raw[size:], "big")
                j = lambda a, b, w=size: a.to_bytes(w, "big") + b.to_bytes(w, "big")  # noqa: E731
                out = {
                    "valid": raw, "high_s": j(r, n - s), "der": encode_dss_signature(r, s),
                    "r_zero": j(0, s), "s_zero": j(r, 0), "r_eq_n": j(n, s), "s_eq_n": j(r, n),
                    "zeros": bytes(2 * size), "ones": b"\xff" * (2 * size), "swapped": j(s, r),
                    "short": raw[:-1], "long": raw + b"\x00", "padded_halves": j(r, s, size + 1),
                    "empty": b"", "half": raw[:size], "doubled": raw + raw,
                    "bitflip_r": bytes([raw[0] ^ 0x01]) + raw[1:], "bitflip_s": raw[:-1] + bytes([raw[-1] ^ 0x80]),
                }
                if r + n < 1 << (8 * size):
                    out["r_plus_n"] = j(r + n, s)
                if s + n < 1 << (8 * size):
                    out["s_plus_n"] = j(r, s + n)
                out["other_hash"] = ec_sign_raw(key, {"ES256": "ES384", "ES256K": "ES384"}.get(alg, "ES256"), msg)
                return out

            # each form over its own payload (r + n / s + n only where they fit the field)
            for name in ["valid", "high_s", "der", "r_zero", "s_zero", "r_eq_n", "s_eq_n", "zeros", "ones", "swapped",
                         "short", "long", "padded_halves", "empty", "half", "doubled", "bitflip_r", "bitflip_s",
                         "r_plus_n", "s_plus_n", "other_hash"]:
                hs, ps = b64(jdump(self.header(alg=alg, kid=file))), b64(jdump(self.auth_payload()))
                sig = forms(f"{hs}.{ps}".encode()).get(name)
                if sig is None:
                    continue
                t = f"{hs}.{ps}.{b64(sig)}"
                self.add("ec_signature_forms", "ec_store", t)
                if name in ("valid", "high_s", "der"):
                    self.add("ec_signature_forms", "ec_store_nosig", t)
            # tampered after signing: payload, header
            good = self._kt(alg, file, signer)
            hs, ps, ss = good.split(".")
            other_ps = b64(jdump(self.auth_payload()))
            self.add("ec_tampered", "ec_store", f"{hs}.{other_ps}.{ss}")
            hs2 = b64(jdump(self.header(alg=alg, kid=file, x=1)))
            self.add("ec_tampered", "ec_store", f"{hs2}.{ps}.{ss}")
            self.add("ec_tampered", "ec_store", f"{hs}.{ps}.{ss[:-2]}{'A' if ss[-2] != 'A' else 'B'}{ss[-1]}")
            # a token of the same key signed over another token's input
            self.add("ec_tampered", "ec_store", f"{hs}.{ps}.{self._kt(alg, file, signer).split('.')[2]}")

    def kcat_d_ed_signature_forms(self):
        """EdDSA: 64 / 114-byte signatures, S must be < L (malleated S + L refused)."""
        self._kinit()
        for file, signer, curve, slen in [("test-only-ed25519", "test-only-ed25519", "ed25519", 32),
                                          ("gen-ed25519-pubonly", "test-only-ed25519", "ed25519", 32),
                                          ("test-only-ed448", "test-only-ed448", "ed448", 57)]:
            key = PRIV[signer]
            order = ED_ORDER[curve]

            def forms(msg, key=key, order=order, slen=slen):
                sig = key.sign(msg)
                rb, sv = sig[:slen], int.from_bytes(sig[slen:], "little")
                le = lambda v: v.to_bytes(slen, "little")  # noqa: E731
                out = {"valid": sig, "s_plus_l": rb + le(sv + order), "s_eq_l": rb + le(order),
                       "s_zero": rb + bytes(slen), "bitflip_r": bytes([sig[0] ^ 1]) + sig[1:],
                       "bitflip_s": sig[:-2] + bytes([sig[-2] ^ 1]) + sig[-1:], "short": sig[:-1], "long": sig + b"\x00",
                       "empty": b"", "zeros": bytes(2 * slen), "swapped": sig[slen:] + rb}
                if sv + 2 * order < 1 << (8 * slen):
                    out["s_plus_2l"] = rb + le(sv + 2 * order)
                if slen == 32:
                    out["s_top_bit"] = sig[:-1] + bytes([sig[-1] | 0x80])
                    out["ed448_length"] = sig + bytes(50)
                else:
                    out["ed25519_length"] = sig[:64]
                return out

            for name in ["valid", "s_plus_l", "s_plus_2l", "s_eq_l", "s_zero", "bitflip_r", "bitflip_s", "short",
                         "long", "empty", "zeros", "swapped", "s_top_bit", "ed448_length", "ed25519_length"]:
                hs, ps = b64(jdump(self.header(alg="EdDSA", kid=file))), b64(jdump(self.auth_payload()))
                sig = forms(f"{hs}.{ps}".encode()).get(name)
                if sig is None:
                    continue
                t = f"{hs}.{ps}.{b64(sig)}"
                self.add("ed_signature_forms", "ec_store", t)
                if name in ("valid", "s_plus_l"):
                    self.add("ed_signature_forms", "ec_store_nosig", t)
            good = self._kt("EdDSA", file, signer)
            hs, ps, ss = good.split(".")
            self.add("ed_tampered", "ec_store", f"{hs}.{b64(jdump(self.auth_payload()))}.{ss}")
            self.add("ed_tampered", "ec_store", f"{b64(jdump(self.header(alg='EdDSA', kid=file, x=1)))}.{ps}.{ss}")
        # the other Ed curve's key signs for this one's kid
        self.add("ed_tampered", "ec_store", self._kt("EdDSA", "test-only-ed25519", "test-only-ed448"))
        self.add("ed_tampered", "ec_store", self._kt("EdDSA", "test-only-ed448", "test-only-ed25519"))

    def kcat_e_rsa_key_forms(self):
        """RSA-PSS SPKI keys and a 2^33 + 1 exponent with every RS*/PS* alg."""
        self._kinit()
        for file, cat in [("test-only-rsa-pss", "rsa_pss_spki_key"), ("test-only-rsa-e2p33", "rsa_big_exponent")]:
            for alg in ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512"):
                t = self._kt(alg, file, file)
                self.add(cat, "ec_store", t)
                hs, ps, ss = t.split(".")
                self.add(cat, "ec_store", f"{hs}.{ps}.{ss[:-3]}{'A' if ss[-3] != 'A' else 'B'}{ss[-2:]}")
            self.add(cat, "ec_store", self._kt("RS256", file, "myapp-20200410"))
            self.add(cat, "ec_store_rsa_algs", self._kt("PS256", file, file))

    def kcat_f_mixed_issuers(self):
        self._kinit()
        P = "mixed_issuers"
        rows = [  # (iss, alg, kid, signer)
            ("myapp", "RS256", "myapp-20200410", "myapp-20200410"), ("myapp", "PS256", "myapp-20180101", "myapp-20180101"),
            ("myapp", "RS256", _DEL, "myapp-20200410"), ("otherapp", "RS256", "otherapp-2024", "otherapp-2024"),
            ("ecapp", "ES256", "test-only-ec-p256", "test-only-ec-p256"),
            ("ecapp", "ES384", "test-only-ec-p384-sec1", "test-only-ec-p384"),
            ("ecapp", "ES256", _DEL, "test-only-ec-p256"), ("ecapp", "ES384", _DEL, "test-only-ec-p384"),
            ("edapp", "EdDSA", "test-only-ed25519", "test-only-ed25519"), ("edapp", "EdDSA", _DEL, "test-only-ed25519"),
            ("k1app", "ES256K", "test-only-ec-secp256k1-sec1", "test-only-ec-secp256k1"),
            ("k1app", "ES256K", _DEL, "test-only-ec-secp256k1"),
            # cross-family and cross-issuer selections
            ("ecapp", "ES256", "myapp-20200410", "test-only-ec-p256"), ("myapp", "ES256", "test-only-ec-p256", "test-only-ec-p256"),
            ("myapp", "ES256", "myapp-20200410", "test-only-ec-p256"), ("ecapp", "RS256", _DEL, "myapp-20200410"),
            ("edapp", "ES256", _DEL, "test-only-ec-p256"), ("edapp", "RS256", _DEL, "myapp-20200410"),
            ("k1app", "ES256", _DEL, "test-only-ec-secp256k1"), ("ecapp", "ES384", "test-only-ec-p256", "test-only-ec-p384"),
            ("ecapp", "EdDSA", _DEL, "test-only-ed25519"), ("myapp", "EdDSA", _DEL, "test-only-ed25519"),
            ("otherapp", "ES256", _DEL, "test-only-ec-p256"), ("edapp", "EdDSA", _DEL, "test-only-ed448"),
            ("ecapp", "ES256K", _DEL, "test-only-ec-secp256k1"), ("k1app", "ES384", _DEL, "test-only-ec-p384"),
        ]
        for iss, alg, kid, signer in rows:
            for make in (self.auth_payload, self.session_payload):
                self.add("mixed_issuers", P, self._kt(alg, kid, signer, make(iss=iss)))
        for iss, alg, kid, signer in rows[:12]:
            self.add("mixed_issuers", P, "JWT " + self._kt(alg, kid, signer, self.auth_payload(iss=iss)),
                     mode="authenticate")
        self.add("mixed_issuers", P, None, mode="authenticate")
        self.add("mixed_issuers", "ec_store", None, mode="authenticate")
        self.add("mixed_issuers", "ec_store", "JWT " + self._kt("ES256", "test-only-ec-p256", "test-only-ec-p256"),
                 mode="authenticate")

    def kcat_g_rotation(self):
        self._kinit()
        lists = {"rotation_to_ec": [("test-only-ec-p256", "ES256"), ("myapp-20200410", "RS256"), ("myapp-20180101", "PS256")],
                 "rotation_from_rsa": [("myapp-20200410", "RS256"), ("test-only-ec-p384", "ES384"),
                                       ("test-only-ed25519", "EdDSA")]}
        for prof, files in lists.items():
            for stem, alg in files:
                for kid in (stem, stem + ".pem", _DEL, ""):
                    self.add("rotation_rsa_ec", prof, self._kt(alg, kid, stem))
                    self.add("rotation_rsa_ec", prof, self._kt(alg, kid, stem, self.session_payload()))
            # the other issuer's key by kid, and an unknown kid
            self.add("rotation_rsa_ec", prof, self._kt("RS256", "otherapp-2024", "otherapp-2024"))
            self.add("rotation_rsa_ec", prof, self._kt("ES256", "test-only-ec-p256-sec1", "test-only-ec-p256"))
            self.add("rotation_rsa_ec", prof, self._kt("RS256", "otherapp-2024", "otherapp-2024",
                                                       self.auth_payload(iss="otherapp")))

    def kcat_h_algs_mixed(self):
        self._kinit()
        rows = [("RS256", "myapp-20200410", "myapp-20200410"), ("PS256", "myapp-20180101", "myapp-20180101"),
                ("ES256", "myapp-20200410", "test-only-ec-p256"), ("ES384", "myapp-20200410", "test-only-ec-p384"),
                ("ES512", "myapp-20200410", "test-only-ec-p521"), ("EdDSA", "myapp-20200410", "test-only-ed25519"),
                ("HS256", "myapp-20200410", "myapp-20200410"), ("ES256K", "myapp-20200410", "test-only-ec-secp256k1"),
                ("RS256", _DEL, "myapp-20200410")]
        for alg, kid, signer in rows:
            t = self._kt(alg, kid, signer)
            self.add_profiles("algs_mixed_families", ["algs_ec_ed_only", "algs_every_family", "default"], t)
        for alg, kid, signer in [("RS256", "myapp-20200410", "myapp-20200410"), ("ES384", "test-only-ec-p384", "test-only-ec-p384"),
                                 ("EdDSA", "test-only-ec-p256", "test-only-ed25519"), ("ES256", "test-only-ed25519", "test-only-ec-p256"),
                                 ("ES256", "test-only-ec-p256", "test-only-ec-p256"), ("EdDSA", "test-only-ed448", "test-only-ed448")]:
            self.add_profiles("algs_mixed_families", ["ec_encode_es256", "ec_encode_eddsa"], self._kt(alg, kid, signer))

    def kcat_i_key_files(self):
        """One issuer's list with good and broken files: each token fails or passes by the file it selects."""
        self._kinit()
        P = ["key_files", "key_files_nosig", "key_files_any_issuer"]
        for file, signer in KEY_FILE_CASES:
            cat = "pem_framing_tokens" if file.startswith("pf-") else "key_file_failures"
            self.add_profiles(cat, P, self._kt("RS256", self._stem(file), signer))
            self.add_profiles(cat, ["key_files"], self._kt("PS256", file, signer, self.session_payload()))
        self.add_profiles("pem_framing_tokens", ["key_files"], self._kt("RS256", "pf-first-other", "myapp-20200410"))
        rows = [  # (iss, kid, signer)
            ("myapp", _DEL, "myapp-20200410"), ("myapp", "", "myapp-20200410"), ("myapp", "kf-current", "myapp-20180101"),
            ("otherapp", _DEL, "otherapp-2024"), ("otherapp", "kf-missing-other", "otherapp-2024"),
            ("otherapp", "kf-missing", "otherapp-2024"), ("otherapp", "otherapp-2024.pem", "otherapp-2024"),
            ("emptyname", _DEL, "myapp-20200410"), ("emptyname", "", "myapp-20200410"),
            ("emptyname", "kf-current", "myapp-20200410"), ("emptyname", ".pem", "myapp-20200410"),
            ("legacy", _DEL, "myapp-20200410"), ("legacy", "kf-current", "myapp-20200410"), ("legacy", "", "myapp-20200410"),
            ("brokenfirst", _DEL, "myapp-20200410"), ("brokenfirst", "kf-current", "myapp-20200410"),
            ("brokenfirst", "kf-missing.pem", "myapp-20200410"), ("nobody", _DEL, "myapp-20200410"),
        ]
        for iss, kid, signer in rows:
            self.add_profiles("key_file_issuers", P, self._kt("RS256", kid, signer, self.auth_payload(iss=iss)))
        for file in ("kf-current.pem", "kf-missing.pem", "kf-dir.pem", "kf-jwk.json", "kf-dsa.pem", "pf-crlf.pem"):
            signer = dict(KEY_FILE_CASES)[file]
            self.add("key_file_failures", "key_files", "JWT " + self._kt("RS256", self._stem(file), signer),
                     mode="authenticate")
        self.add("key_file_failures", "key_files", None, mode="authenticate")
        self.add("key_file_failures", "key_files", "JWT", mode="authenticate")


def generate(seed: int = SEED):
    cases = Categories(seed).generate()
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids))
    return cases


# ----------------------------------------------------------------------------------------
# sign-parity payload shapes (>= 200)
# ----------------------------------------------------------------------------------------
def sign_shapes(seed: int = SEED):
    rng = random.Random(seed + 7)
    shapes = []

    def uid():
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    emails = ["alice@example.org", "zoë@exämple.org", "дмитрий@пример.рф", "李@例え.jp", "😀@x.org", "", "a\"b\\c@x",
              "tab\there@x", "nul\u0000@x", "\u2028@x"]
    extras = [None, True, False, 0, -1, 1, 0.1, 1e16, 1e-7, 5.0, 1e22, -0.0, 1e21, 1e-5, 1e-4, 0.5, 123.456,
              2 ** 53 + 1, 2 ** 63, 2 ** 64, -2 ** 63 - 1, 10 ** 30, "", "é", "😀", [], {}, [1, [2, [3]]],
              {"nested": {"deep": [1, {"x": None}]}}, {"é": "ü"}, 1.7976931348623157e308, 5e-324, 1e100, 1.5e-10,
              float(2 ** 53), 100.0, 3.0e-3]
    for i in range(110):
        kind = "session" if i % 2 == 0 else "auth"
        p = OrderedDict([("token", kind), ("sid", uid() if i % 3 else rng.randint(1, 10 ** 6)),
                         ("cid", rng.choice(["", "web", "mobile-ü"])),
                         ("uid", rng.randint(1, 10 ** 9) if i % 4 else uid()), ("email", emails[i % len(emails)])])
        if kind == "auth":
            p["scopes"] = [] if i % 5 else ["read", "wrïte"]
        shapes.append(p)
    for i, v in enumerate(extras):
        for kind in ("session", "auth"):
            shapes.append(OrderedDict([("token", kind), ("sid", uid()), ("uid", i + 1), ("extra", v)]))
    # unicode keys / ordering / explicit standard claims
    shapes.append(OrderedDict([("ключ", 1), ("token", "auth"), ("é", "x"), ("sid", "s"), ("uid", 1), ("😀", [])]))
    shapes.append(OrderedDict([("uid", 3), ("sid", "s"), ("token", "session"), ("", 0)]))
    shapes.append(OrderedDict([("token", "auth"), ("sid", "s"), ("uid", 1), ("iss", "otherapp")]))
    shapes.append(OrderedDict([("token", "session"), ("sid", "s"), ("uid", 1), ("iss", "otherapp"), ("aud", "otherapp")]))
    shapes.append(OrderedDict([("token", "auth"), ("sid", "s"), ("uid", 1), ("aud", [])]))  # falsy: replaced in place
    shapes.append(OrderedDict([("token", "auth"), ("aud", ""), ("sid", "s"), ("uid", 1), ("iss", "")]))
    shapes.append(OrderedDict([("token", "auth"), ("iat", 0), ("sid", "s"), ("uid", 1), ("exp", None)]))
    shapes.append(OrderedDict([("token", "session"), ("iat", NOW - 5), ("sid", "s"), ("uid", 1)]))
    shapes.append(OrderedDict([("token", "auth"), ("iat", NOW - 5), ("exp", NOW + 100), ("sid", "s"), ("uid", 1)]))
    shapes.append(OrderedDict([("token", "session"), ("exp", NOW + 10), ("sid", "s"), ("uid", 1)]))
    shapes.append(OrderedDict([("token", "auth"), ("nbf", NOW - 1), ("sid", "s"), ("uid", 1), ("aud", ["myapp"])]))
    shapes.append(OrderedDict([("token", "auth"), ("sid", "s"), ("uid", 1), ("aud", "myapp"), ("scopes", ["a"] * 50)]))
    # error shapes (encode_jwt_token raises)
    shapes.append(OrderedDict([("sid", "s"), ("uid", 1)]))
    shapes.append(OrderedDict([("token", "refresh"), ("sid", "s"), ("uid", 1)]))
    shapes.append(OrderedDict([("token", "auth"), ("sid", "s"), ("uid", 1), ("iss", "unknown")]))
    shapes.append(OrderedDict([("token", "auth"), ("sid", "s"), ("uid", 1), ("iss", 5)]))
    shapes.append(OrderedDict([("token", "auth"), ("sid", "s"), ("uid", 1), ("iss", ["myapp"])]))
    shapes.append(OrderedDict([("token", "auth"), ("sid", "s"), ("uid", 1), ("iat", NOW)]))  # int + timedelta
    shapes.append(OrderedDict([("token", "session"), ("sid", "s"), ("uid", 1), ("iat", "yesterday")]))
    shapes.append(OrderedDict([("token", None), ("sid", "s"), ("uid", 1)]))
    return shapes


def main(argv):
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    write_profiles(args.out)
    cases = generate()
    with open(os.path.join(args.out, "corpus_cases.jsonl"), "w", encoding="utf-8") as fh:
        for c in cases:
            fh.write(json.dumps(c, ensure_ascii=True) + "\n")
    counts = {}
    for c in cases:
        counts[c["category"]] = counts.get(c["category"], 0) + 1
    for k in sorted(counts):
        print(f"{k:32s} {counts[k]:5d}")
    print(f"{len(counts)} categories, {len(cases)} cases, {len(sign_shapes())} sign shapes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
