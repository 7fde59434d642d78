#!/usr/bin/env python3
"""EC / EdDSA edge cases with the Django server's verdicts, for tests/ec_openssl.rs.

The verdicts come from the real stack: `cryptography` (its OpenSSL) loading keys the way
rest_framework_sso.keys does (`load_pem_public_key` / `load_pem_private_key`), and PyJWT
2.15.1's own `ECAlgorithm` / `OKPAlgorithm` `.verify` for signatures.

  python tests/ec_openssl_cases.py --write            # (re)build tests/ec_openssl_cases.json
  python tests/ec_openssl_cases.py --check            # recompute every stored verdict
  python tests/ec_openssl_cases.py --check-rust FILE  # PyJWT verifies the tokens that
                                                      # tests/ec_openssl.rs signed (it writes
                                                      # target/ec-interop/rust-signed.json)
  python tests/ec_openssl_cases.py --wycheproof DIR VERDICTS_PREFIX
        # every Wycheproof ECDSA-P1363/EdDSA vector of the covered sets through PyJWT, compared
        # with the verdicts tests/wycheproof_ec.rs wrote (WYCHEPROOF_EC_VERDICTS=PREFIX)

Needs PyJWT 2.15.1 and cryptography (the parity venv: target/parity-venv/bin/python).
"""

from __future__ import annotations

import base64
import glob
import hashlib
import json
import os
import random
import sys
import warnings

warnings.filterwarnings("ignore")

import jwt  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PublicKey  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey  # noqa: E402
from cryptography.hazmat.primitives.serialization import (  # noqa: E402
    Encoding,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, get_default_algorithms  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
KEYS = os.path.join(ROOT, "keys")
OUT = os.path.join(HERE, "ec_openssl_cases.json")
ALGS = get_default_algorithms()


# --- DER and PEM helpers ---------------------------------------------------------------------

def tlv(tag: int, body: bytes) -> bytes:
    n = len(body)
    if n < 0x80:
        ln = bytes([n])
    elif n < 0x100:
        ln = bytes([0x81, n])
    else:
        ln = bytes([0x82, n >> 8, n & 0xFF])
    return bytes([tag]) + ln + body


def seq(*parts: bytes) -> bytes:
    return tlv(0x30, b"".join(parts))


def read_tlv(b: bytes) -> tuple[int, bytes, bytes]:
    """(tag, contents, rest) of a DER TLV."""
    tag, n = b[0], b[1]
    off = 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(b[2 : 2 + k], "big")
        off = 2 + k
    return tag, b[off : off + n], b[off + n :]


def children(b: bytes) -> list[bytes]:
    """The raw TLVs inside a constructed value."""
    out = []
    while b:
        tag, body, rest = read_tlv(b)
        out.append(b[: len(b) - len(rest)])
        b = rest
    return out


def pem(label: str, der: bytes) -> bytes:
    body = base64.encodebytes(der).decode()
    return f"-----BEGIN {label}-----\n{body}-----END {label}-----\n".encode()


def pem_blocks(path: str) -> dict[str, list[bytes]]:
    text = open(path).read()
    out: dict[str, list[bytes]] = {}
    while "-----BEGIN " in text:
        start = text.index("-----BEGIN ")
        label = text[start + 11 : text.index("-----", start + 11)]
        end_marker = f"-----END {label}-----"
        end = text.index(end_marker, start)
        body = text[text.index("\n", start) : end]
        out.setdefault(label, []).append(base64.b64decode("".join(body.split())))
        text = text[end + len(end_marker) :]
    return out


def b64url(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


OID_EC = bytes.fromhex("06072a8648ce3d0201")
OID_P256 = bytes.fromhex("06082a8648ce3d030107")
OID_P384 = bytes.fromhex("06052b81040022")
OID_ED25519 = bytes.fromhex("06032b6570")
OID_ED448 = bytes.fromhex("06032b6571")
NULL = b"\x05\x00"
N256 = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


# --- the server's verdicts -------------------------------------------------------------------

def server_loads_public(der: bytes) -> bool:
    try:
        load_pem_public_key(pem("PUBLIC KEY", der))
        return True
    except Exception:
        return False


def server_loads_private(label: str, der: bytes) -> bool:
    try:
        load_pem_private_key(pem(label, der), None)
        return True
    except Exception:
        return False


def server_verifies(alg: str, spki: bytes, msg: bytes, sig: bytes) -> bool:
    key = load_pem_public_key(pem("PUBLIC KEY", spki))
    algo = ALGS[alg]
    return bool(algo.verify(msg, algo.prepare_key(key), sig))


# --- Ed25519 / Ed448 arithmetic for the torsion cases (affine, test data only) ---------------

P25519 = 2**255 - 19
D25519 = -121665 * pow(121666, -1, P25519) % P25519
L25519 = 2**252 + 27742317777372353535851937790883648493
P448 = 2**448 - 2**224 - 1
D448 = -39081 % P448
L448 = 2**446 - 13818066809895115352007386748515426880336692474882178609894547503885


def add25519(p, q):
    (x1, y1), (x2, y2) = p, q
    t = D25519 * x1 * x2 * y1 * y2 % P25519
    x3 = (x1 * y2 + y1 * x2) * pow(1 + t, -1, P25519) % P25519
    y3 = (y1 * y2 + x1 * x2) * pow(1 - t, -1, P25519) % P25519
    return x3, y3


def add448(p, q):
    (x1, y1), (x2, y2) = p, q
    t = D448 * x1 * x2 * y1 * y2 % P448
    x3 = (x1 * y2 + y1 * x2) * pow(1 + t, -1, P448) % P448
    y3 = (y1 * y2 - x1 * x2) * pow(1 - t, -1, P448) % P448
    return x3, y3


def mul(add, ident, k, p):
    r = ident
    while k:
        if k & 1:
            r = add(r, p)
        p = add(p, p)
        k >>= 1
    return r


def dec25519(b: bytes):
    y = int.from_bytes(b, "little") & ((1 << 255) - 1)
    u, v = (y * y - 1) % P25519, (D25519 * y * y + 1) % P25519
    x = pow(u * pow(v, -1, P25519), (P25519 + 3) // 8, P25519)
    if (v * x * x - u) % P25519:
        x = x * pow(2, (P25519 - 1) // 4, P25519) % P25519
    if (x & 1) != b[31] >> 7:
        x = -x % P25519
    return x, y


def enc25519(p) -> bytes:
    x, y = p
    b = bytearray(y.to_bytes(32, "little"))
    b[31] |= (x & 1) << 7
    return bytes(b)


def dec448(b: bytes):
    y = int.from_bytes(b[:56], "little")
    u, v = (y * y - 1) % P448, (D448 * y * y - 1) % P448
    x = pow(u * pow(v, -1, P448), (P448 + 1) // 4, P448)
    if (x & 1) != b[56] >> 7:
        x = -x % P448
    return x, y


def enc448(p) -> bytes:
    x, y = p
    return y.to_bytes(56, "little") + bytes([(x & 1) << 7])


B25519 = dec25519(bytes.fromhex("5866666666666666666666666666666666666666666666666666666666666666"))
B448 = dec448(
    bytes.fromhex(
        "14fa30f25b790898adc8d74e2c13bdfdc4397ce61cffd33ad7c2a0051e9c7887"
        "4098a36c7373ea4b62c7c9563720768824bcb66e71463f6900"
    )
)


def k25519(r: bytes, a: bytes, m: bytes) -> int:
    return int.from_bytes(hashlib.sha512(r + a + m).digest(), "little") % L25519


def k448(r: bytes, a: bytes, m: bytes) -> int:
    h = hashlib.shake_256(b"SigEd448\x00\x00" + r + a + m).digest(114)
    return int.from_bytes(h, "little") % L448


def okp_spki(oid: bytes, raw: bytes) -> bytes:
    return seq(seq(oid), tlv(0x03, b"\x00" + raw))


def ec_spki(curve_oid: bytes, point: bytes, unused: int = 0) -> bytes:
    return seq(seq(OID_EC, curve_oid), tlv(0x03, bytes([unused]) + point))


# --- case building -----------------------------------------------------------------------------

def public_key_cases() -> list[dict]:
    cases = []

    def add(name: str, der: bytes):
        cases.append({"name": name, "spki": der.hex(), "loads": server_loads_public(der)})

    for curve in ("p256", "p384", "p521", "secp256k1"):
        f = os.path.join(KEYS, f"test-only-ec-{curve}")
        add(f"{curve} named, uncompressed", pem_blocks(f + ".pem")["PUBLIC KEY"][0])
        add(f"{curve} named, compressed", pem_blocks(f + "-sec1.pem")["PUBLIC KEY"][0])
        add(f"{curve} explicit parameters with seed", pem_blocks(f + "-explicit.pem")["PUBLIC KEY"][0])
    spki = pem_blocks(os.path.join(KEYS, "test-only-ec-p256.pem"))["PUBLIC KEY"][0]
    point = spki[-65:]
    odd = point[-1] & 1
    add("p256 hybrid point, right parity", ec_spki(OID_P256, bytes([6 + odd]) + point[1:]))
    add("p256 hybrid point, wrong parity", ec_spki(OID_P256, bytes([7 - odd]) + point[1:]))
    add("p256 point at infinity", ec_spki(OID_P256, b"\x00"))
    add("p256 compact (0x05) point", ec_spki(OID_P256, b"\x05" + point[1:33]))
    add("p256 point off the curve", ec_spki(OID_P256, point[:-1] + bytes([point[-1] ^ 1])))
    add("p256 x = p", ec_spki(OID_P256, b"\x04" + bytes.fromhex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff") + point[33:]))
    add("p256 empty point", ec_spki(OID_P256, b""))
    add("p256 BIT STRING with 1 unused bit", ec_spki(OID_P256, point[:-1] + bytes([point[-1] & 0xFE]), 1))
    add("p256 point on the P-384 OID", ec_spki(OID_P384, point))
    add("EC without parameters", seq(seq(OID_EC), tlv(0x03, b"\x00" + point)))
    add("EC with NULL (implicitCA) parameters", seq(seq(OID_EC, NULL), tlv(0x03, b"\x00" + point)))
    add("EC with an unknown curve OID", ec_spki(bytes.fromhex("06032a0304"), point))
    add("p256 trailing byte after the SPKI", spki + b"\x00")
    # explicit P-256 parameters, edited
    expl = pem_blocks(os.path.join(KEYS, "test-only-ec-p256-explicit.pem"))["PUBLIC KEY"][0]
    _, body, _ = read_tlv(expl)
    alg, bits = children(body)
    _, alg_body, _ = read_tlv(alg)
    oid, params = children(alg_body)
    _, pbody, _ = read_tlv(params)
    version, field, curve, base, order, cofactor = children(pbody)
    _, cbody, _ = read_tlv(curve)
    a, b, seed = children(cbody)

    def explicit(name, parts, curve_parts=(a, b, seed)):
        p = seq(*parts[:2], seq(*curve_parts), *parts[2:])
        add(name, seq(seq(oid, p), bits))

    explicit("p256 explicit, no seed", [version, field, base, order, cofactor], (a, b))
    explicit("p256 explicit, no cofactor", [version, field, base, order])
    comp_base = tlv(0x04, bytes([2 + (read_tlv(base)[1][-1] & 1)]) + read_tlv(base)[1][1:33])
    explicit("p256 explicit, compressed base point", [version, field, comp_base, order, cofactor])
    explicit("p256 explicit, cofactor 2", [version, field, base, order, tlv(0x02, b"\x02")])
    explicit("p256 explicit, another seed", [version, field, base, order, cofactor], (a, b, tlv(0x03, b"\x00" + b"\x11" * 20)))
    # Ed25519 / Ed448
    for name, fn, oid_, n in (("ed25519", "test-only-ed25519.pem", OID_ED25519, 32), ("ed448", "test-only-ed448.pem", OID_ED448, 57)):
        der = pem_blocks(os.path.join(KEYS, fn))["PUBLIC KEY"][0]
        raw = der[-n:]
        add(f"{name} plain", der)
        add(f"{name} NULL parameters", seq(seq(oid_, NULL), tlv(0x03, b"\x00" + raw)))
        add(f"{name} key one byte short", okp_spki(oid_, raw[:-1]))
        add(f"{name} key one byte long", okp_spki(oid_, raw + b"\x00"))
        add(f"{name} 0xff bytes (no curve point)", okp_spki(oid_, b"\xff" * n))
        add(f"{name} trailing byte after the SPKI", der + b"\x00")
    return cases


def private_key_cases() -> list[dict]:
    cases = []

    def add(name: str, label: str, der: bytes):
        cases.append({"name": name, "label": label, "der": der.hex(), "loads": server_loads_private(label, der)})

    p256 = load_pem_private_key(open(os.path.join(KEYS, "test-only-ec-p256.pem"), "rb").read(), None)
    d = p256.private_numbers().private_value.to_bytes(32, "big")
    pub = p256.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    comp = p256.public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    other = ec.derive_private_key(12345, ec.SECP256R1()).public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)

    def sec1(dbytes=d, params=OID_P256, point=pub, version=b"\x01"):
        parts = [tlv(0x02, version), tlv(0x04, dbytes)]
        if params is not None:
            parts.append(tlv(0xA0, params))
        if point is not None:
            parts.append(tlv(0xA1, tlv(0x03, b"\x00" + point)))
        return seq(*parts)

    def p8(inner, params=OID_P256, version=b"\x00", oid=OID_EC):
        return seq(tlv(0x02, version), seq(oid, params) if params else seq(oid), tlv(0x04, inner))

    add("sec1", "EC PRIVATE KEY", sec1())
    add("sec1 without the public key", "EC PRIVATE KEY", sec1(point=None))
    add("sec1 without parameters", "EC PRIVATE KEY", sec1(params=None))
    add("sec1 d of 31 bytes", "EC PRIVATE KEY", sec1(dbytes=d[1:], point=None))
    add("sec1 d of 33 bytes", "EC PRIVATE KEY", sec1(dbytes=b"\x00" + d, point=None))
    add("sec1 d = 0", "EC PRIVATE KEY", sec1(dbytes=bytes(32), point=None))
    add("sec1 d = n", "EC PRIVATE KEY", sec1(dbytes=N256.to_bytes(32, "big"), point=None))
    add("sec1 public key of another key", "EC PRIVATE KEY", sec1(point=other))
    add("sec1 compressed public key", "EC PRIVATE KEY", sec1(point=comp))
    add("sec1 version 2", "EC PRIVATE KEY", sec1(version=b"\x02"))
    add("pkcs8, inner without parameters", "PRIVATE KEY", p8(sec1(params=None)))
    add("pkcs8, inner with the same parameters", "PRIVATE KEY", p8(sec1()))
    add("pkcs8, inner with other parameters", "PRIVATE KEY", p8(sec1(params=OID_P384)))
    add("pkcs8 version 1", "PRIVATE KEY", p8(sec1(params=None), version=b"\x01"))
    add("pkcs8 EC without parameters", "PRIVATE KEY", p8(sec1(params=None), params=None))
    for curve in ("p256", "p384", "p521", "secp256k1"):
        f = os.path.join(KEYS, f"test-only-ec-{curve}")
        add(f"{curve} pkcs8 (openssl genpkey)", "PRIVATE KEY", pem_blocks(f + ".pem")["PRIVATE KEY"][0])
        add(f"{curve} sec1 (openssl ec)", "EC PRIVATE KEY", pem_blocks(f + "-sec1.pem")["EC PRIVATE KEY"][0])
        add(f"{curve} sec1 explicit parameters", "EC PRIVATE KEY", pem_blocks(f + "-explicit.pem")["EC PRIVATE KEY"][0])
    for name, fn, oid_, n in (("ed25519", "test-only-ed25519.pem", OID_ED25519, 32), ("ed448", "test-only-ed448.pem", OID_ED448, 57)):
        der = pem_blocks(os.path.join(KEYS, fn))["PRIVATE KEY"][0]
        seed = der[-n:]
        pub_raw = pem_blocks(os.path.join(KEYS, fn))["PUBLIC KEY"][0][-n:]
        add(f"{name} pkcs8", "PRIVATE KEY", der)
        add(f"{name} pkcs8 version 1", "PRIVATE KEY", seq(tlv(2, b"\x01"), seq(oid_), tlv(4, tlv(4, seed))))
        add(f"{name} pkcs8 v2 with the public key", "PRIVATE KEY", seq(tlv(2, b"\x01"), seq(oid_), tlv(4, tlv(4, seed)), tlv(0x81, b"\x00" + pub_raw)))
        add(f"{name} pkcs8 with attributes", "PRIVATE KEY", seq(tlv(2, b"\x00"), seq(oid_), tlv(4, tlv(4, seed)), tlv(0xA0, b"")))
        add(f"{name} pkcs8 NULL parameters", "PRIVATE KEY", seq(tlv(2, b"\x00"), seq(oid_, NULL), tlv(4, tlv(4, seed))))
        add(f"{name} pkcs8 seed one byte short", "PRIVATE KEY", seq(tlv(2, b"\x00"), seq(oid_), tlv(4, tlv(4, seed[:-1]))))
        add(f"{name} pkcs8 seed not wrapped", "PRIVATE KEY", seq(tlv(2, b"\x00"), seq(oid_), tlv(4, seed)))
    return cases


def signature_cases() -> list[dict]:
    cases = []
    rng = random.Random(20240601)

    def add(name: str, alg: str, spki: bytes, msg: bytes, sig: bytes):
        cases.append({
            "name": name, "alg": alg, "spki": spki.hex(), "msg": msg.hex(), "sig": sig.hex(),
            "valid": server_verifies(alg, spki, msg, sig),
        })

    msg = b"eyJhbGciOiJFUzI1NiJ9.eyJ1aWQiOjF9"
    # ECDSA: a real signature, its high-S twin, out-of-range r/s, DER, lengths
    for curve, alg, n in (("p256", "ES256", N256),):
        f = os.path.join(KEYS, f"test-only-ec-{curve}.pem")
        key = load_pem_private_key(open(f, "rb").read(), None)
        spki = pem_blocks(f)["PUBLIC KEY"][0]
        sig = ALGS[alg].sign(msg, key)
        r, s = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
        raw = lambda r, s: r.to_bytes(32, "big") + s.to_bytes(32, "big")  # noqa: E731
        add("ES256 PyJWT signature", alg, spki, msg, sig)
        add("ES256 high-S twin", alg, spki, msg, raw(r, n - s))
        add("ES256 r = 0", alg, spki, msg, raw(0, s))
        add("ES256 s = 0", alg, spki, msg, raw(r, 0))
        add("ES256 r = n", alg, spki, msg, raw(n, s))
        add("ES256 s = n", alg, spki, msg, raw(r, n))
        from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
        add("ES256 DER-encoded", alg, spki, msg, encode_dss_signature(r, s))
        add("ES256 one byte short", alg, spki, msg, sig[1:])
        add("ES256 trailing zero byte", alg, spki, msg, sig + b"\x00")
    # Ed25519: small-order and non-canonical public keys, cofactorless check
    spki = lambda raw: okp_spki(OID_ED25519, raw)  # noqa: E731
    ident = (0, 1)
    one = (1).to_bytes(32, "little")
    bsig = enc25519(B25519) + one  # R = B, S = 1: verifies for any A with [k]A = O
    add("Ed25519 A = identity, R = B, S = 1", "EdDSA", spki(enc25519(ident)), b"m", bsig)
    add("Ed25519 A = identity with the sign bit", "EdDSA", spki(enc25519(ident)[:31] + b"\x80"), b"m", bsig)
    add("Ed25519 A = (0, -1)", "EdDSA", spki(enc25519((0, P25519 - 1))), b"m", bsig)
    add("Ed25519 A = identity, non-canonical y = 1 + p", "EdDSA", spki((1 + P25519).to_bytes(32, "little")), b"m", bsig)
    add("Ed25519 R = identity with y = 1 + p, S = 0", "EdDSA", spki(enc25519(ident)), b"m", (1 + P25519).to_bytes(32, "little") + bytes(32))
    a = rng.randrange(1, L25519)
    A = mul(add25519, ident, a, B25519)
    T2 = (0, P25519 - 1)
    for name, R_off in (("honest", None), ("R plus the point of order 2", T2)):
        r = rng.randrange(1, L25519)
        R = mul(add25519, ident, r, B25519)
        if R_off:
            R = add25519(R, R_off)
        k = k25519(enc25519(R), enc25519(A), b"m")
        S = (r + k * a) % L25519
        add(f"Ed25519 {name}", "EdDSA", spki(enc25519(A)), b"m", enc25519(R) + S.to_bytes(32, "little"))
        if not R_off:
            add("Ed25519 honest with S + L", "EdDSA", spki(enc25519(A)), b"m", enc25519(R) + (S + L25519).to_bytes(32, "little"))
    # Ed448: the identity and (0, -1) never decode; order-4 points do; cofactored check
    spki = lambda raw: okp_spki(OID_ED448, raw)  # noqa: E731
    one = (1).to_bytes(57, "little")
    bsig = enc448(B448) + one
    for name, pt in (("identity", ident), ("(0, -1)", (0, P448 - 1)), ("(1, 0)", (1, 0)), ("(-1, 0)", (P448 - 1, 0))):
        add(f"Ed448 A = {name}, R = B, S = 1", "EdDSA", spki(enc448(pt)), b"m", bsig)
    add("Ed448 A = (1, 0), R = identity, S = 0", "EdDSA", spki(enc448((1, 0))), b"m", enc448(ident) + bytes(57))
    add("Ed448 A = (1, 0) with non-canonical y = p", "EdDSA", spki(P448.to_bytes(56, "little") + b"\x80"), b"m", bsig)
    a = rng.randrange(1, L448)
    A = mul(add448, ident, a, B448)
    T4 = (1, 0)
    for name, R_off, A_off in (("honest", None, None), ("R plus a point of order 4", T4, None), ("A plus a point of order 2", None, (0, P448 - 1))):
        r = rng.randrange(1, L448)
        R = mul(add448, ident, r, B448)
        if R_off:
            R = add448(R, R_off)
        A2 = add448(A, A_off) if A_off else A
        k = k448(enc448(R), enc448(A2), b"m")
        S = (r + k * a) % L448
        add(f"Ed448 {name}", "EdDSA", spki(enc448(A2)), b"m", enc448(R) + S.to_bytes(57, "little"))
        if not R_off and not A_off:
            add("Ed448 honest with S + L", "EdDSA", spki(enc448(A)), b"m", enc448(R) + (S + L448).to_bytes(57, "little"))
    return cases


def pyjwt_tokens() -> list[dict]:
    out = []
    payload = {"iss": "myapp", "uid": 42, "token": "auth"}
    for fn, alg in (
        ("test-only-ed25519.pem", "EdDSA"),
        ("test-only-ed448.pem", "EdDSA"),
        ("test-only-ec-p256.pem", "ES256"),
        ("test-only-ec-p384.pem", "ES384"),
        ("test-only-ec-p521.pem", "ES512"),
        ("test-only-ec-p521.pem", "ES521"),
        ("test-only-ec-secp256k1.pem", "ES256K"),
        ("test-only-ec-p256-sec1.pem", "ES256"),
    ):
        blocks = pem_blocks(os.path.join(KEYS, fn))
        label = "PRIVATE KEY" if "PRIVATE KEY" in blocks else "EC PRIVATE KEY"
        key = load_pem_private_key(pem(label, blocks[label][0]), None)
        token = jwt.encode(payload, key, algorithm=alg, headers={"kid": fn[:-4]})
        out.append({"key": fn, "alg": alg, "token": token})
    return out


def build() -> dict:
    import cryptography

    return {
        "about": "Verdicts of cryptography %s (%s) and PyJWT %s; made by tests/ec_openssl_cases.py --write"
        % (cryptography.__version__, __import__("cryptography.hazmat.backends.openssl.backend", fromlist=["backend"]).backend.openssl_version_text(), jwt.__version__),
        "public_keys": public_key_cases(),
        "private_keys": private_key_cases(),
        "signatures": signature_cases(),
        "pyjwt_tokens": pyjwt_tokens(),
    }


def check(path: str) -> int:
    data = json.load(open(path))
    bad = 0
    for c in data["public_keys"]:
        if server_loads_public(bytes.fromhex(c["spki"])) != c["loads"]:
            print("public key verdict changed:", c["name"])
            bad += 1
    for c in data["private_keys"]:
        if server_loads_private(c["label"], bytes.fromhex(c["der"])) != c["loads"]:
            print("private key verdict changed:", c["name"])
            bad += 1
    for c in data["signatures"]:
        got = server_verifies(c["alg"], bytes.fromhex(c["spki"]), bytes.fromhex(c["msg"]), bytes.fromhex(c["sig"]))
        if got != c["valid"]:
            print("signature verdict changed:", c["name"])
            bad += 1
    for t in data["pyjwt_tokens"]:
        pub = load_pem_public_key(pem("PUBLIC KEY", pem_blocks(os.path.join(KEYS, t["key"]))["PUBLIC KEY"][0]))
        jwt.decode(t["token"], pub, algorithms=[t["alg"]], options={"verify_aud": False})
    n = sum(len(data[k]) for k in ("public_keys", "private_keys", "signatures", "pyjwt_tokens"))
    print(f"{n} cases checked, {bad} changed")
    return 1 if bad else 0


def check_rust(path: str) -> int:
    """PyJWT verifies (and decodes) every token our signing code produced."""
    tokens = json.load(open(path))
    for t in tokens:
        pub = load_pem_public_key(pem("PUBLIC KEY", pem_blocks(os.path.join(KEYS, t["key"]))["PUBLIC KEY"][0]))
        got = jwt.decode(t["token"], pub, algorithms=[t["alg"]], options={"verify_aud": False})
        assert got == t["payload"], (t, got)
        if "pyjwt_token" in t:
            assert t["pyjwt_token"] == t["token"], ("not byte-identical", t)
    print(f"{len(tokens)} tokens signed by drf-sso-jwt verified by PyJWT {jwt.__version__}")
    return 0


def wycheproof(data_dir: str, prefix: str) -> int:
    """PyJWT's verdict on every covered Wycheproof vector equals ours."""
    ours = {}
    for suffix in ("ecdsa", "eddsa"):
        for line in open(f"{prefix}.{suffix}"):
            s, tc, v = line.split()
            ours[(s, int(tc))] = v == "accept"
    sets = {
        "EcdsaSecp256r1Sha256P1363": ("ecdsa_secp256r1_sha256_p1363_test.json", ["ES256"]),
        "EcdsaSecp384r1Sha384P1363": ("ecdsa_secp384r1_sha384_p1363_test.json", ["ES384"]),
        "EcdsaSecp521r1Sha512P1363": ("ecdsa_secp521r1_sha512_p1363_test.json", ["ES512", "ES521"]),
        "EcdsaSecp256k1Sha256P1363": ("ecdsa_secp256k1_sha256_p1363_test.json", ["ES256K"]),
        "Ed25519": ("ed25519_test.json", ["EdDSA"]),
        "Ed448": ("ed448_test.json", ["EdDSA"]),
    }
    compared = differ = 0
    for name, (fn, algs) in sets.items():
        d = json.load(open(os.path.join(data_dir, fn)))
        for g in d["testGroups"]:
            spki = bytes.fromhex(g["publicKeyDer"])
            for alg in algs:
                label = name if alg == "EdDSA" else f"{name}/{alg}"
                for t in g["tests"]:
                    got = server_verifies(alg, spki, bytes.fromhex(t["msg"]), bytes.fromhex(t["sig"]))
                    compared += 1
                    if ours.get((label, t["tcId"])) != got:
                        differ += 1
                        print("DIFFERS:", label, t["tcId"], "server", got, "ours", ours.get((label, t["tcId"])))
    print(f"wycheproof: {compared} vectors, PyJWT/OpenSSL and drf-sso-jwt differ on {differ}")
    return 1 if differ or not compared else 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        json.dump(build(), open(OUT, "w"), indent=1)
        print("wrote", OUT)
    elif sys.argv[1:] == ["--check"]:
        sys.exit(check(OUT))
    elif len(sys.argv) == 3 and sys.argv[1] == "--check-rust":
        sys.exit(check_rust(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "--wycheproof":
        sys.exit(wycheproof(sys.argv[2], sys.argv[3]))
    else:
        print(__doc__)
        sys.exit(2)
