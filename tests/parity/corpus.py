"""Deterministic parity corpus (fixed seed) for drf-sso-jwt vs djangorestframework-sso 0.8.1.

A case is a dict:
  id        "<category>/<n>"
  category  named category (see CATEGORIES after generation)
  profile   settings profile name (see PROFILES)
  now       UNIX seconds the verdict is taken at
  mode      "verify" (input = bare token, no whitespace) or
            "authenticate" (input = raw Authorization header value, chars U+0000..U+00FF, or None)
  input     see mode

Tokens are signed here with `cryptography` (RS*, HS*) and a seeded, hand-written
EMSA-PSS encoder (PS*) so the corpus is byte-for-byte reproducible and can be malformed
in any way.

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

# sign-parity profiles
SIGN_PROFILES = OrderedDict()
for _alg in ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512"):
    SIGN_PROFILES["sign_" + _alg.lower()] = _profile(ENCODE_ALGORITHM=_alg, DECODE_ALGORITHMS=_DEL)


def write_profiles(out_dir: str) -> dict:
    """Write every profile to out_dir/profiles/<name>.json; returns {name: path}.  Also builds the keystore."""
    prof_dir = os.path.join(out_dir, "profiles")
    os.makedirs(prof_dir, exist_ok=True)
    keystore = build_keystore(out_dir)
    paths = {}
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
    return paths


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
    return ks


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


class Signer:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def sign(self, alg: str, key_name: str, msg: bytes, salt: bytes | None = None) -> bytes:
        if alg in ("RS256", "RS384", "RS512"):
            return PRIV[key_name].sign(msg, padding.PKCS1v15(), _HASHES[alg[2:]][0]())
        if alg in ("PS256", "PS384", "PS512"):
            hlen = _HASHES[alg[2:]][1]().digest_size
            if salt is None:
                salt = bytes(self.rng.getrandbits(8) for _ in range(hlen))
            return pss_sign(PRIV[key_name], msg, alg[2:], salt)
        if alg in ("HS256", "HS384", "HS512"):
            return hmac.new(PUB_PEM[key_name], msg, _HASHES[alg[2:]][1]).digest()
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
        for name in sorted(n for n in dir(self) if n.startswith("cat_")):
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
