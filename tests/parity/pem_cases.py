"""Key-file framing corpus: what the server makes of each file, for `src/pem.rs`.

Generates a few hundred key files deterministically (seed 20200410) from the test keys in
keys/: framing, line ends, whitespace, headers, labels, base64, order, nesting, bytes
outside the blocks, hostile repetitions and seeded random mutations. Each file goes
through the server's own code, `rest_framework_sso.keys.get_public_key_and_key_id` and
`get_private_key_and_key_id` (pem 23.1 `parse_file`, then cryptography 50.0.2
`load_pem_public_key` / `load_pem_private_key(.., password=None)`), from a real file on
disk. Each path's outcome is one of

  {"kind": "no_block"}                                 InvalidKeyError "No public/private key found ..."
  {"kind": "loaded", "n": hex, "e": int}               an RSA key (for a private key: its public part)
  {"kind": "pem_error", "exception", "message"}        cryptography's PEM layer raised (HTTP 500)
  {"kind": "der_error", "exception", "message"}        its DER key parser raised (HTTP 500)

Usage:  pem_cases.py [--out FILE] [--fixture FILE] [--write-fixture]
  --out            the corpus (default target/parity/pem_corpus.json), read by tests/pem_files.rs
  --fixture        the checked-in subset (default tests/pem/fixture.json): re-checked against the
                   server code on every run (a stale entry fails), rewritten with --write-fixture
"""

from __future__ import annotations

import argparse
import base64
import functools
import json
import os
import random
import sys
import tempfile
import types

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
KEYS_DIR = os.path.join(REPO_ROOT, "keys")
DEFAULT_OUT = os.path.join(REPO_ROOT, "target", "parity", "pem_corpus.json")
DEFAULT_FIXTURE = os.path.join(REPO_ROOT, "tests", "pem", "fixture.json")
SEED = 20200410

# Messages of cryptography's PEM layer (pem-rs errors, label checks, `decrypt_pem`); every other
# exception comes from its DER key parsers.
PEM_LAYER_PREFIXES = (
    "Unable to load PEM file.",
    "Valid PEM but no BEGIN",
    "Password was not given but private key is encrypted",
    "Proc-Type PEM header is not valid",
    "Encrypted PEM doesn't have a DEK-Info header.",
    "Encrypted PEM's DEK-Info header is not valid.",
)

# The cases copied into the checked-in fixture (cargo test covers them without Python).
FIXTURE_IDS = (
    "files/main", "files/main_pkcs1", "files/public_only", "files/private_only",
    "files/public_then_private", "line_ends/crlf", "line_ends/cr_only", "line_ends/no_final_newline",
    "delimiters/public_begin_space_dashes", "delimiters/public_both_space_dashes",
    "delimiters/public_begin_six_dashes", "delimiters/public_begin_four_dashes",
    "delimiters/public_begin_trailing_space", "delimiters/public_begin_indented",
    "delimiters/public_end_junk_before", "delimiters/private_begin_space_dashes",
    "labels/public_end_rsa_public", "labels/public_end_rsa_then_end_public",
    "layout/one_line", "layout/begin_glued", "layout/end_glued", "layout/single_body_line",
    "layout/wrap_76", "layout/body_indented", "layout/blank_after_begin", "layout/blank_before_end",
    "layout/blank_in_body", "whitespace/public_u00a0_utf8", "whitespace/public_u00a0_latin1",
    "whitespace/public_u001c", "whitespace/public_u2028", "whitespace/public_ufeff",
    "whitespace/public_nul", "headers/public_comment_no_blank", "headers/public_comment_blank",
    "headers/public_proc_type_encrypted", "headers/private_proc_type_encrypted",
    "headers/private_proc_type_no_dek", "headers/private_proc_type_other",
    "headers/private_dek_no_comma", "headers/public_no_colon_then_blank",
    "headers/public_latin1_header", "headers/public_escapes_no_colon",
    "base64/public_drop_last_line", "base64/public_drop_1_char", "base64/public_no_padding",
    "base64/public_extra_padding", "base64/public_noncanonical_last", "base64/public_pad_in_middle",
    "base64/public_urlsafe_chars", "base64/public_append_quad", "base64/public_empty_body",
    "base64/public_only_pad", "base64/public_trailing_zero_der",
    "outside/latin1_before", "outside/latin1_after", "outside/bom_start", "outside/nul_around",
    "outside/utf16le", "outside/stray_begin_before", "outside/stray_end_before",
    "order/public_a_then_b", "order/public_bad_then_good", "order/ssh2_space_first",
    "order/ssh2_dash_first", "order/pgp_public_first", "order/rsa_public_pkcs1",
    "order/rsa_public_spki", "order/public_label_pkcs1", "order/certificate_wraps_public",
    "order/unknown_label_wraps_public", "order/openssh_private_first",
    "order/encrypted_pkcs8_first", "order/encrypted_pkcs8_malformed", "order/ec_label_rsa_data",
    "order/pkcs1_under_private_key", "nesting/empty_public_then_public",
    "nesting/private_two_sections", "nesting/crlf_header_quirk", "nesting/certificate_line_in_body",
    "order/private_other_then_main", "order/public_good_then_bad",
)


def der_lines(der: bytes, width: int = 64) -> list[bytes]:
    b = base64.b64encode(der)
    return [b[i : i + width] for i in range(0, len(b), width)] or [b""]


def block(label: bytes, lines: list[bytes], begin: bytes | None = None, end: bytes | None = None) -> bytes:
    begin = begin if begin is not None else b"-----BEGIN " + label + b"-----"
    end = end if end is not None else b"-----END " + label + b"-----"
    return b"\n".join([begin, *lines, end]) + b"\n"


def split_blocks(data: bytes) -> tuple[bytes, bytes]:
    i = data.index(b"-----BEGIN PUBLIC KEY-----")
    return data[:i], data[i:]


def body_of(blk: bytes) -> list[bytes]:
    return blk.rstrip(b"\n").split(b"\n")[1:-1]


def der_tlv(tag: int, body: bytes) -> bytes:
    n = len(body)
    if n < 128:
        return bytes([tag, n]) + body
    nb = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(nb)]) + nb + body


def encrypted_pkcs8_der() -> bytes:
    """A well-formed PBES2 EncryptedPrivateKeyInfo with fixed salt, IV and ciphertext."""
    oid = lambda hexs: bytes.fromhex(hexs)  # noqa: E731
    pbkdf2 = der_tlv(0x30, oid("06092a864886f70d01050c") + der_tlv(0x30,
        der_tlv(0x04, bytes(16)) + der_tlv(0x02, b"\x08\x00")
        + der_tlv(0x30, oid("06082a864886f70d0209") + b"\x05\x00")))
    aes = der_tlv(0x30, oid("060960864801650304012a") + der_tlv(0x04, bytes(16)))
    alg = der_tlv(0x30, oid("06092a864886f70d01050d") + der_tlv(0x30, pbkdf2 + aes))
    return der_tlv(0x30, alg + der_tlv(0x04, bytes(range(48))))


class Materials:
    """Blocks of one main key (PKCS#8 file, its PKCS#1 forms) and of a second key."""

    def __init__(self, main: str, other: str):
        from cryptography.hazmat.primitives import serialization as ser
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        def read(name):
            with open(os.path.join(KEYS_DIR, name + ".pem"), "rb") as fh:
                return fh.read()

        self.a = read(main)  # PKCS#8 private + SPKI
        self.priv_a, self.pub_a = split_blocks(self.a)
        ka = load_pem_private_key(self.a, None)
        self.spki_a = ka.public_key().public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo)
        self.pkcs1_pub_a = ka.public_key().public_bytes(ser.Encoding.DER, ser.PublicFormat.PKCS1)
        self.pkcs8_a = ka.private_bytes(ser.Encoding.DER, ser.PrivateFormat.PKCS8, ser.NoEncryption())
        self.pkcs1_priv_a = ka.private_bytes(ser.Encoding.DER, ser.PrivateFormat.TraditionalOpenSSL, ser.NoEncryption())
        # The main key as a PKCS#1 `RSA PRIVATE KEY` + SPKI file.
        self.b = block(b"RSA PRIVATE KEY", der_lines(self.pkcs1_priv_a)) + self.pub_a
        self.priv_b = split_blocks(self.b)[0]
        # A second key, to see which block wins.
        self.other = read(other)
        self.priv_other, self.pub_other = split_blocks(self.other)
        self.files = {"main": self.a, "main_pkcs1": self.b, "other": self.other}


def generate(m: Materials) -> list[tuple[str, bytes]]:
    rnd = random.Random(SEED)
    cases: list[tuple[str, bytes]] = []

    def add(cid: str, data: bytes):
        cases.append((cid, data))

    pub, priv = m.pub_a, m.priv_a
    body = body_of(pub)
    pub_label, priv_label = b"PUBLIC KEY", b"PRIVATE KEY"

    # files: the keys and their halves.
    for name, data in m.files.items():
        add(f"files/{name}", data)
    add("files/public_only", pub)
    add("files/private_only", priv)
    add("files/public_then_private", pub + priv)
    add("files/empty", b"")
    add("files/not_pem", b"not a pem\n")
    add("files/jwk_json", b'{"kty": "RSA", "n": "AQAB", "e": "AQAB"}\n')

    # line_ends
    add("line_ends/crlf", m.a.replace(b"\n", b"\r\n"))
    add("line_ends/cr_only", m.a.replace(b"\n", b"\r"))
    add("line_ends/cr_cr_lf", m.a.replace(b"\n", b"\r\r\n"))
    add("line_ends/lf_cr", m.a.replace(b"\n", b"\n\r"))
    add("line_ends/crlf_begin_lines", m.a.replace(b"-----\n", b"-----\r\n"))
    add("line_ends/crlf_body_only", priv + b"-----BEGIN PUBLIC KEY-----\n" + b"\r\n".join(body)
        + b"\n-----END PUBLIC KEY-----\n")
    add("line_ends/crlf_before_end", m.a.replace(b"\n-----END", b"\r\n-----END"))
    add("line_ends/no_final_newline", m.a.rstrip(b"\n"))
    add("line_ends/end_then_cr_only", m.a.replace(b"KEY-----\n", b"KEY-----\r"))
    lines = m.a.split(b"\n")
    add("line_ends/mixed_seeded", b"".join(l + rnd.choice([b"\n", b"\r\n"]) for l in lines[:-1]))

    # delimiters: BEGIN / END line variants on the public or the private block.
    begin_variants = {
        "space_dashes": b"---- BEGIN %s ----",
        "space_before_dashes": b"-----BEGIN %s ----",
        "space_after_dashes": b"---- BEGIN %s-----",
        "six_dashes": b"------BEGIN %s-----",
        "four_dashes": b"----BEGIN %s-----",
        "trailing_six_dashes": b"-----BEGIN %s------",
        "two_spaces": b"-----BEGIN  %s-----",
        "lowercase_begin": b"-----begin %s-----",
        "trailing_space": b"-----BEGIN %s----- ",
        "trailing_tab": b"-----BEGIN %s-----\t",
        "indented": b"  -----BEGIN %s-----",
        "junk_before": b"x-----BEGIN %s-----",
        "junk_after": b"-----BEGIN %s----- junk",
        "tab_for_space": b"-----BEGIN\t%s-----",
    }
    for which, blk, label in (("public", pub, pub_label), ("private", priv, priv_label)):
        lines_ = body_of(blk)
        other = priv if which == "public" else pub
        for name, fmt in begin_variants.items():
            b = fmt % label
            add(f"delimiters/{which}_begin_{name}", other + block(label, lines_, begin=b))
            e = fmt.replace(b"BEGIN", b"END").replace(b"begin", b"end") % label
            add(f"delimiters/{which}_end_{name}", other + block(label, lines_, end=e))
        add(f"delimiters/{which}_both_space_dashes", other + block(
            label, lines_, begin=b"---- BEGIN %s ----" % label, end=b"---- END %s ----" % label))
        add(f"delimiters/{which}_lowercase_label", other + block(label.lower(), lines_))

    # labels: BEGIN and END disagree.
    add("labels/public_end_rsa_public", priv + block(pub_label, body, end=b"-----END RSA PUBLIC KEY-----"))
    add("labels/public_end_rsa_then_end_public",
        block(pub_label, body, end=b"-----END RSA PUBLIC KEY-----") + b"-----END PUBLIC KEY-----\n")
    add("labels/private_end_rsa_private", block(priv_label, body_of(priv), end=b"-----END RSA PRIVATE KEY-----") + pub)
    add("labels/private_end_rsa_then_end_private",
        block(priv_label, body_of(priv), end=b"-----END RSA PRIVATE KEY-----") + b"-----END PRIVATE KEY-----\n")
    add("labels/public_begin_rsa_end_public", block(b"RSA PUBLIC KEY", body, end=b"-----END PUBLIC KEY-----"))
    add("labels/unknown_label", block(b"FOO KEY", body))

    # layout of the public block.
    joined = b"".join(body)
    add("layout/one_line", priv + b"-----BEGIN PUBLIC KEY-----" + joined + b"-----END PUBLIC KEY-----\n")
    add("layout/begin_glued", priv + b"-----BEGIN PUBLIC KEY-----" + b"\n".join(body) + b"\n-----END PUBLIC KEY-----\n")
    add("layout/end_glued", priv + b"-----BEGIN PUBLIC KEY-----\n" + b"\n".join(body) + b"-----END PUBLIC KEY-----\n")
    add("layout/single_body_line", priv + block(pub_label, [joined]))
    for w in (76, 32, 4, 1):
        add(f"layout/wrap_{w}", priv + block(pub_label, der_lines(m.spki_a, w)))
    add("layout/body_indented", priv + block(pub_label, [b"  " + l for l in body]))
    add("layout/body_tab_indented", priv + block(pub_label, [b"\t" + l for l in body]))
    add("layout/body_trailing_spaces", priv + block(pub_label, [l + b"   " for l in body]))
    add("layout/all_indented", b"".join(b"  " + l + b"\n" for l in pub.split(b"\n")[:-1]))
    add("layout/blank_after_begin", priv + block(pub_label, [b"", *body]))
    add("layout/blank_before_end", priv + block(pub_label, [*body, b""]))
    add("layout/blank_in_body", priv + block(pub_label, [*body[:3], b"", *body[3:]]))
    add("layout/two_blanks_in_body", priv + block(pub_label, [*body[:3], b"", b"", *body[3:]]))
    add("layout/spaces_line_in_body", priv + block(pub_label, [*body[:3], b"   ", *body[3:]]))
    add("layout/crlf_blank_in_lf_body", priv + block(pub_label, [*body[:3] , b"\r", *body[3:]]))
    add("layout/blank_after_begin_private", block(priv_label, [b"", *body_of(priv)]) + pub)
    add("layout/blank_in_private", block(priv_label, [*body_of(priv)[:2], b"", *body_of(priv)[2:]]) + pub)

    # whitespace and odd characters inserted in the body (public: line 2; private: line 2).
    chars = {
        "space": b" ", "tab": b"\t", "vt": b"\x0b", "ff": b"\x0c", "u001c": b"\x1c",
        "u0085_utf8": "\u0085".encode(), "u0085_latin1": b"\x85", "u00a0_utf8": "\u00a0".encode(),
        "u00a0_latin1": b"\xa0", "u1680": "\u1680".encode(), "u2000": "\u2000".encode(),
        "u200b": "\u200b".encode(), "u2028": "\u2028".encode(), "u202f": "\u202f".encode(),
        "u3000": "\u3000".encode(), "ufeff": "\ufeff".encode(), "nul": b"\x00", "del": b"\x7f",
        "e_acute_utf8": "é".encode(), "lone_continuation": b"\x80", "cr": b"\r",
    }
    for name, ch in chars.items():
        lb = list(body)
        lb[1] = lb[1][:10] + ch + lb[1][10:]
        add(f"whitespace/public_{name}", priv + block(pub_label, lb))
        if name in ("u00a0_utf8", "u00a0_latin1", "u001c", "u2028", "nul", "ufeff"):
            lp = list(body_of(priv))
            lp[1] = lp[1][:10] + ch + lp[1][10:]
            add(f"whitespace/private_{name}", block(priv_label, lp) + pub)

    # headers
    hdrs = {
        "comment_no_blank": [b"Comment: hi"],
        "comment_blank": [b"Comment: hi", b""],
        "two_headers_blank": [b"Comment: a", b"X-Other: b", b""],
        "no_space_blank": [b"Comment:hi", b""],
        "no_colon_then_blank": [b"Comment hi", b""],
        "continuation_then_blank": [b"Comment: a", b"  continued", b""],
        "proc_type_encrypted": [b"Proc-Type: 4,ENCRYPTED", b"DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF", b""],
        "proc_type_no_dek": [b"Proc-Type: 4,ENCRYPTED", b""],
        "proc_type_other": [b"Proc-Type: 4,MIC-ONLY", b""],
        "proc_type_empty": [b"Proc-Type:", b""],
        "proc_type_spaced": [b"  Proc-Type  :  4,ENCRYPTED  ", b"DEK-Info: x,", b""],
        "proc_type_lowercase": [b"proc-type: 4,ENCRYPTED", b""],
        "proc_type_last_wins": [b"Proc-Type: 4,ENCRYPTED", b"DEK-Info: a,b", b"Proc-Type: 9", b""],
        "dek_no_comma": [b"Proc-Type: 4,ENCRYPTED", b"DEK-Info: AES-128-CBC", b""],
        "latin1_header": [b"Comment: caf\xe9", b""],
        "utf8_header": ["Comment: café ✓".encode(), b""],
        "escapes_no_colon": [b'tab\there "quote" back\\slash \x01', b""],
        "crlf_blank": [b"Comment: hi\r", b"\r"],
        "header_no_blank_then_body_blank": [b"Comment: hi", *body[:2], b""],
    }
    for name, h in hdrs.items():
        add(f"headers/public_{name}", priv + block(pub_label, [*h, *body]))
        add(f"headers/private_{name}", block(priv_label, [*h, *body_of(priv)]) + pub)

    # base64 body damage on the public block (DER damage shows up as der_error).
    b64 = base64.b64encode(m.spki_a)
    def pub_b64(data: bytes) -> bytes:
        return priv + block(pub_label, [data[i : i + 64] for i in range(0, len(data), 64)] or [b""])
    add("base64/public_drop_last_line", priv + block(pub_label, body[:-1]))
    for k in (1, 2, 3):
        add(f"base64/public_drop_{k}_char", pub_b64(b64[:-2 - k] + b64[-2:]))
    add("base64/public_no_padding", pub_b64(b64.rstrip(b"=")))
    add("base64/public_extra_padding", pub_b64(b64 + b"="))
    add("base64/public_double_extra_padding", pub_b64(b64 + b"=="))
    last = b64.rstrip(b"=")
    add("base64/public_noncanonical_last", pub_b64(last[:-1] + bytes([last[-1] + 1]) + b"=" * (len(b64) - len(last))))
    add("base64/public_pad_in_middle", pub_b64(b64[:100] + b"=" + b64[101:]))
    add("base64/public_bang_in_middle", pub_b64(b64[:100] + b"!" + b64[101:]))
    add("base64/public_bang_at_end", pub_b64(b64 + b"!"))
    add("base64/public_bang_len_1_mod_4", pub_b64(b64[:-4] + b"AAA!" + b64[-4:] + b"!"))
    add("base64/public_urlsafe_chars", pub_b64(b64.replace(b"+", b"-").replace(b"/", b"_")))
    add("base64/public_dot", pub_b64(b64[:50] + b"." + b64[51:]))
    add("base64/public_append_quad", pub_b64(b64 + b"AAAA"))
    add("base64/public_prepend_quad", pub_b64(b"AAAA" + b64))
    add("base64/public_empty_body", priv + b"-----BEGIN PUBLIC KEY-----\n\n-----END PUBLIC KEY-----\n")
    add("base64/public_only_pad", priv + block(pub_label, [b"="]))
    add("base64/public_four_pads", priv + block(pub_label, [b"===="]))
    add("base64/public_trailing_zero_der", pub_b64(base64.b64encode(m.spki_a + b"\x00")))
    add("base64/public_nonminimal_length_der", pub_b64(base64.b64encode(b"\x30\x83\x00" + m.spki_a[2:])))
    add("base64/public_indefinite_length_der", pub_b64(base64.b64encode(b"\x30\x80" + m.spki_a[4:] + b"\x00\x00")))
    add("base64/private_drop_last_line", block(priv_label, body_of(priv)[:-1]) + pub)
    add("base64/private_noncanonical_last", block(priv_label, [*body_of(priv)[:-1], body_of(priv)[-1][:-2] + b"x="]) + pub)
    add("base64/private_trailing_zero_der", block(priv_label, der_lines(m.pkcs8_a + b"\x00")) + pub)

    # bytes outside the blocks.
    add("outside/latin1_before", b"# cl\xe9 de test \xff\n" + m.a)
    add("outside/latin1_after", m.a + b"# fin \xe9\xa0\n")
    add("outside/latin1_between", priv + b"\xe9\xe8\n" + pub)
    add("outside/bom_start", b"\xef\xbb\xbf" + m.a)
    add("outside/nul_around", b"\x00\x00" + m.a + b"\x00")
    add("outside/utf16le", m.a.decode().encode("utf-16-le"))
    add("outside/binary_garbage", bytes(rnd.randrange(256) for _ in range(300)) + m.a + bytes(rnd.randrange(256) for _ in range(300)))
    add("outside/long_junk_line", b"x" * 100_000 + b"\n" + m.a)
    add("outside/stray_begin_before", b"-----BEGIN PUBLIC KEY-----\n" + m.a)
    add("outside/stray_end_before", b"-----END PUBLIC KEY-----\n" + m.a)
    add("outside/stray_begin_private_before", b"-----BEGIN PRIVATE KEY-----\nxx\n" + m.a)
    add("outside/junk_same_line_after_end", m.a.replace(b"END PUBLIC KEY-----\n", b"END PUBLIC KEY-----junk\n"))
    add("outside/text_before_begin_same_line", m.a.replace(b"-----BEGIN PUBLIC", b"key: -----BEGIN PUBLIC"))

    # order and labels of the objects in a file.
    pub_b = m.pub_other
    bad_pub = block(pub_label, [b"!!!!"])
    add("order/public_a_then_b", pub + pub_b)
    add("order/public_b_then_a", pub_b + pub)
    add("order/public_bad_then_good", bad_pub + pub)
    add("order/public_good_then_bad", pub + bad_pub)
    add("order/ssh2_space_first", block(b"SSH2 PUBLIC KEY", [b"AAAAB3NzaC1yc2E="], begin=b"---- BEGIN SSH2 PUBLIC KEY ----", end=b"---- END SSH2 PUBLIC KEY ----") + pub)
    add("order/ssh2_dash_first", block(b"SSH2 PUBLIC KEY", [b"AAAAB3NzaC1yc2E="]) + pub)
    add("order/pgp_public_first", block(b"PGP PUBLIC KEY BLOCK", [b"", b"mQENBF4AAAAB"]) + pub)
    add("order/pgp_public_first_valid_b64", block(b"PGP PUBLIC KEY BLOCK", [b"AAAA"]) + pub)
    add("order/rsa_public_pkcs1", block(b"RSA PUBLIC KEY", der_lines(m.pkcs1_pub_a)) + pub_b)
    add("order/rsa_public_spki", block(b"RSA PUBLIC KEY", der_lines(m.spki_a)) + pub_b)
    add("order/public_label_pkcs1", block(pub_label, der_lines(m.pkcs1_pub_a)) + pub_b)
    add("order/certificate_wraps_public", b"-----BEGIN CERTIFICATE-----\nAAAA\n" + pub + b"-----END CERTIFICATE-----\n" + pub_b)
    add("order/certificate_first", block(b"CERTIFICATE", [b"AAAA"]) + pub_b)
    add("order/x509_crl_first", block(b"X509 CRL", [b"!!"]) + pub)
    add("order/dh_parameters_wraps_private", b"-----BEGIN DH PARAMETERS-----\nAA\n" + priv + b"-----END DH PARAMETERS-----\n" + m.priv_other + pub)
    add("order/unknown_label_wraps_public", b"-----BEGIN FOO-----\n" + pub + b"-----END FOO-----\n")
    add("order/openssh_private_first", block(b"OPENSSH PRIVATE KEY", [b"b3BlbnNzaC1rZXktdjEAAAAA"]) + m.a)
    add("order/openssh_private_bad_b64_first", block(b"OPENSSH PRIVATE KEY", [b"b3Blbn!"]) + m.a)
    add("order/ssh2_encrypted_private_first", block(b"SSH2 ENCRYPTED PRIVATE KEY", [b"AAAA"], begin=b"---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----", end=b"---- END SSH2 ENCRYPTED PRIVATE KEY ----") + m.a)
    add("order/pgp_private_first", block(b"PGP PRIVATE KEY BLOCK", [b"AAAA"]) + m.a)
    add("order/encrypted_pkcs8_first", block(b"ENCRYPTED PRIVATE KEY", der_lines(encrypted_pkcs8_der())) + m.a)
    add("order/encrypted_pkcs8_malformed", block(b"ENCRYPTED PRIVATE KEY", der_lines(m.pkcs8_a)) + pub)
    add("order/ec_label_rsa_data", block(b"EC PRIVATE KEY", der_lines(m.pkcs1_priv_a)) + pub)
    add("order/dsa_label_rsa_data", block(b"DSA PRIVATE KEY", der_lines(m.pkcs1_priv_a)) + pub)
    add("order/pkcs1_under_private_key", block(priv_label, der_lines(m.pkcs1_priv_a)) + pub)
    add("order/pkcs8_under_rsa_private_key", block(b"RSA PRIVATE KEY", der_lines(m.pkcs8_a)) + pub)
    add("order/private_other_then_main", m.priv_other + m.a)
    add("order/bad_private_then_good", block(priv_label, [b"!!!!"]) + m.a)

    # nesting: lazy payloads that span blocks, pem-rs sections inside one object.
    add("nesting/empty_public_then_public", b"-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n" + pub)
    add("nesting/empty_private_then_private", b"-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n" + m.a)
    add("nesting/public_inside_public", b"-----BEGIN PUBLIC KEY-----\n" + pub)
    add("nesting/private_two_sections", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END X-----\n" + priv)
    add("nesting/private_sections_then_key", b"---- BEGIN PRIVATE KEY ----\n-----BEGIN A-----\nAAAA\n-----END A-----\n"
        + m.priv_other + b"---- END PRIVATE KEY ----\n" + pub)
    add("nesting/private_sections_no_key", b"---- BEGIN PRIVATE KEY ----\n-----BEGIN A-----\nAAAA\n-----END A-----\n---- END PRIVATE KEY ----\n" + pub)
    add("nesting/crlf_header_quirk", priv + b"-----BEGIN PUBLIC KEY-----\r\nComment: x\r\n\r\r\n\r\n" + b"\r\n".join(body) + b"\r\n-----END PUBLIC KEY-----\r\n")
    add("nesting/lf_blank_in_crlf_headers", priv + b"-----BEGIN PUBLIC KEY-----\r\nComment: x\n\n" + b"\r\n".join(body) + b"\r\n-----END PUBLIC KEY-----\r\n")
    add("nesting/certificate_line_in_body", priv + block(pub_label, [*body[:2], b"-----BEGIN CERTIFICATE-----", *body[2:]]))
    add("nesting/end_marker_partial_in_body", priv + block(pub_label, [*body, b"------END PUBLIC KEY-----"]))
    add("nesting/dashes_in_body", priv + block(pub_label, [*body[:2], b"-----", *body[2:]]))

    # hostile repetitions (Python's regex is quadratic on some; kept small here, the Rust
    # unit tests run the megabyte versions).
    add("hostile/begins_without_end", b"-----BEGIN PUBLIC KEY-----\n" * 400 + pub)
    add("hostile/bare_begins", b"-----BEGIN " * 5000 + pub)
    add("hostile/ends_only", b"\n-----END PUBLIC KEY-----" * 2000)
    add("hostile/dashes", b"-" * 100_000 + b"\n" + pub)
    add("hostile/many_certificates", block(b"CERTIFICATE", [b"AAAA"]) * 1000 + pub)
    add("hostile/one_begin_many_other_ends", b"-----BEGIN PUBLIC KEY-----\nA\n" + b"-----END RSA PUBLIC KEY-----\n" * 2000 + b"-----END PUBLIC KEY-----\n")
    add("hostile/long_body_line", priv + block(pub_label, [b"A" * 200_000]))

    # seeded random mutations of the key files.
    palette = [b"-", b" ", b"\n", b"\r", b"\r\n", b"=", b":", b"\t", b"\xa0", "\u00a0".encode(), b"\x00", b"A", b"!",
               b"-----", b"BEGIN ", b"END ", b"PUBLIC KEY", b"PRIVATE KEY", b"\n\n", b"Proc-Type: 4,ENCRYPTED\n"]
    sources = [m.a, m.b, pub, priv, m.pub_other + m.priv_other]
    for i in range(220):
        data = bytearray(rnd.choice(sources))
        for _ in range(rnd.randint(1, 3)):
            op = rnd.randrange(5)
            pos = rnd.randrange(len(data) + 1)
            if op == 0:
                data[pos:pos] = rnd.choice(palette)
            elif op == 1 and data:
                del data[pos : pos + rnd.randint(1, 3)]
            elif op == 2:
                lines = bytes(data).split(b"\n")
                j = rnd.randrange(len(lines))
                lines.insert(j, lines[rnd.randrange(len(lines))])
                data = bytearray(b"\n".join(lines))
            elif op == 3:
                lines = bytes(data).split(b"\n")
                j, k = rnd.randrange(len(lines)), rnd.randrange(len(lines))
                lines[j], lines[k] = lines[k], lines[j]
                data = bytearray(b"\n".join(lines))
            elif data:
                data[min(pos, len(data) - 1)] = rnd.randrange(256)
        add(f"random/{i:03d}", bytes(data))
    ids = [c for c, _ in cases]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    return cases


class Server:
    """The server's key loading, `rest_framework_sso.keys`, over a real file on disk."""

    def __init__(self):
        from django.conf import settings

        if not settings.configured:
            settings.configure()
        import rest_framework_sso.keys as keys
        from cryptography.hazmat.primitives.asymmetric import rsa
        from jwt.exceptions import InvalidKeyError

        self.keys, self.rsa, self.InvalidKeyError = keys, rsa, InvalidKeyError
        # Speed only: cryptography validates every RSA private key it loads (~0.1 s each).
        keys.load_pem_public_key = functools.lru_cache(maxsize=None)(keys.load_pem_public_key)
        keys.load_pem_private_key = functools.lru_cache(maxsize=None)(keys.load_pem_private_key)
        self.dir = tempfile.TemporaryDirectory(prefix="pem_cases_")
        self.path = os.path.join(self.dir.name, "k.pem")
        keys.api_settings = types.SimpleNamespace(
            KEY_STORE_ROOT=self.dir.name, PUBLIC_KEYS={"i": "k.pem"}, PRIVATE_KEYS={"i": "k.pem"})

    def outcomes(self, data: bytes) -> dict:
        with open(self.path, "wb") as fh:
            fh.write(data)
        return {
            "public": self._one(self.keys.get_public_key_and_key_id, "No public key found"),
            "private": self._one(self.keys.get_private_key_and_key_id, "No private key found"),
        }

    def _one(self, fn, none_text: str) -> dict:
        try:
            key, _kid = fn("i")
        except self.InvalidKeyError as e:
            if str(e).startswith(none_text):
                return {"kind": "no_block"}
            raise
        except Exception as e:  # noqa: BLE001 - every other exception is the server's HTTP 500
            msg = str(e)
            kind = "pem_error" if msg.startswith(PEM_LAYER_PREFIXES) else "der_error"
            return {"kind": kind, "exception": type(e).__name__, "message": msg}
        if hasattr(key, "public_key"):
            key = key.public_key()
        if not isinstance(key, self.rsa.RSAPublicKey):
            raise AssertionError(f"corpus is RSA-only, loaded {type(key).__name__}")
        nums = key.public_numbers()
        return {"kind": "loaded", "n": format(nums.n, "x"), "e": nums.e}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--fixture", default=DEFAULT_FIXTURE)
    ap.add_argument("--write-fixture", action="store_true")
    args = ap.parse_args(argv)

    import cryptography
    import pem

    server = Server()

    def evaluate(generated, only=None):
        return [{"id": cid, "file": data.decode("latin-1"), **server.outcomes(data)}
                for cid, data in generated if only is None or cid in only]

    cases = evaluate(generate(Materials("myapp-20200410", "myapp-20180101")))
    versions = {"pem": "23.1.0", "cryptography": cryptography.__version__}
    doc = {"_doc": "tests/parity/pem_cases.py: key files (bytes as latin-1 text) and what "
                   "rest_framework_sso.keys makes of them", "versions": versions, "cases": cases}
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="ascii") as fh:
        json.dump(doc, fh, indent=0)
    kinds: dict[str, int] = {}
    for c in cases:
        for path in ("public", "private"):
            k = f"{path}:{c[path]['kind']}"
            kinds[k] = kinds.get(k, 0) + 1
    print(f"pem_cases: {len(cases)} files ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}) -> {args.out}")

    missing = sorted(set(FIXTURE_IDS) - {c["id"] for c in cases})
    if missing:
        print(f"pem_cases: FIXTURE_IDS not generated: {missing}")
        return 1
    if args.write_fixture:
        # The same variants of the small test key (test-only-1024), so the file stays small.
        small = evaluate(generate(Materials("test-only-1024", "myapp-20180101")), set(FIXTURE_IDS))
        fixture = {"_doc": "Checked-in subset of tests/parity/pem_cases.py's variants, made from "
                           "keys/test-only-1024.pem (rewrite: pem_cases.py --write-fixture)",
                   "versions": versions, "cases": small}
        os.makedirs(os.path.dirname(args.fixture), exist_ok=True)
        with open(args.fixture, "w", encoding="ascii") as fh:
            json.dump(fixture, fh, indent=0)
        print(f"pem_cases: wrote {len(small)} fixture cases to {args.fixture}")
    elif os.path.exists(args.fixture):
        # The checked-in outcomes must still be what the server code says for those bytes.
        with open(args.fixture, encoding="utf-8") as fh:
            fixture = json.load(fh)
        stale = [c["id"] for c in fixture["cases"]
                 if server.outcomes(c["file"].encode("latin-1")) != {"public": c["public"], "private": c["private"]}]
        if stale:
            print(f"pem_cases: fixture outcomes differ from the server code for {stale}")
            return 1
        print(f"pem_cases: fixture ({len(fixture['cases'])} cases) agrees with the server code")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
