#!/usr/bin/env python3
"""Parity run: oracle (real djangorestframework-sso + PyJWT) vs the drf-sso-jwt Rust CLI.

  python tests/parity/run_parity.py [--bin PATH] [--skip-sign] [--skip-rust] [--category GLOB] ...

1. writes the settings profiles (target/parity/profiles/*.json) and generates the corpus;
2. computes the oracle verdict of every case (grouped by profile and clock, time frozen);
3. writes target/parity/corpus.jsonl (cases + expected verdicts);
4. runs `drf-sso-jwt verify|authenticate --settings P --now T` once per (profile, now, mode) group;
5. compares: same ok; both reject -> same DRF detail; both accept -> type-strict, key-order-strict
   header and payload equality.  Differences matching tests/parity/hardening.json are "documented";
   A server_error (HTTP 500) must be a rejection whose code fits its origin: key_unavailable when
   the server failed reading or loading the key file, unsupported_algorithm for prepare_key's
   TypeError; key_unavailable answers nothing else.  The CLI's start-up warnings must name
   exactly the PUBLIC_KEYS files the server fails on (key_store_warnings);
6. sign parity (unless --skip-sign): encode_jwt_token vs `drf-sso-jwt sign` for RS256/384/512 and
   EdDSA (Ed25519, Ed448: byte-identical tokens), PS256/384/512 and ES256/384/512/521/256K (random
   salt / nonce: the oracle must give the Rust token the Python token's verdict, same payload);
7. prints a per-category table and ends with exactly "N passed, M failed"; exit 1 if M > 0.
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import json
import math
import os
import re
import subprocess
import sys
import time
from collections import OrderedDict, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import corpus  # noqa: E402
from oracle import Oracle, dumps, load_settings_file  # noqa: E402

REPO_ROOT = corpus.REPO_ROOT
DEFAULT_BIN = os.environ.get("DRF_SSO_JWT_BIN") or os.path.join(REPO_ROOT, "target", "release", "drf-sso-jwt")

AGREE, DOC, FAIL = "agree", "documented", "fail"


# ---------------------------------------------------------------------------------------------
# strict comparison
# ---------------------------------------------------------------------------------------------
def strict_diff(a, b, path="$"):
    """None when a and b are equal as JSON values with identical types and dict key order."""
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} {short(a, 40)} != {type(b).__name__} {short(b, 40)}"
    if isinstance(a, dict):
        ka, kb = list(a.keys()), list(b.keys())
        if ka != kb:
            if sorted(ka) == sorted(kb):
                return f"{path}: key order {ka} != {kb}"
            return f"{path}: keys {sorted(set(ka) ^ set(kb))[:6]} differ"
        for k in ka:
            d = strict_diff(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: list length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = strict_diff(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    if isinstance(a, float):
        if math.isnan(a) and math.isnan(b):
            return None
        if a != b or math.copysign(1.0, a) != math.copysign(1.0, b):
            return f"{path}: {a!r} != {b!r}"
        return None
    if a != b:
        return f"{path}: {short(a, 60)} != {short(b, 60)}"
    return None


def short(value, n=100):
    text = value if isinstance(value, str) else dumps(value)
    text = repr(text) if isinstance(value, str) else text
    return text if len(text) <= n else text[: n - 3] + "..."


# The PyJWT exception classes (the oracle's `cause` prefix) each Rust error code stands for;
# `None` = DRF's own AuthenticationFailed with no exception behind it. An agreeing rejection
# must agree on the class too, not only on the DRF text.
CODE_CLASSES = {
    "malformed": {"DecodeError"},
    "too_large": {"DecodeError", "InvalidSignatureError"},
    "unsupported_json": {"DecodeError"},
    "bad_signature": {"InvalidSignatureError"},
    "bad_exp": {"DecodeError"},
    "bad_nbf": {"DecodeError"},
    "expired": {"ExpiredSignatureError"},
    "unknown_key": {"InvalidKeyError"},
    "invalid_key": {"InvalidKeyError"},
    "invalid_header": {"InvalidTokenError"},
    "missing_claim": {"MissingRequiredClaimError"},
    "untrusted_issuer": {"InvalidIssuerError"},
    "bad_algorithm": {"InvalidAlgorithmError"},
    "bad_iat": {"InvalidIssuedAtError"},
    "immature": {"ImmatureSignatureError"},
    "bad_issuer": {"InvalidIssuerError"},
    "bad_audience": {"InvalidAudienceError"},
    "bad_subject": {"InvalidSubjectError"},
    "bad_jti": {"InvalidJTIError"},
    "unknown_token_type": {"InvalidTokenError"},
    "no_credentials": {None},
    "token_has_spaces": {None},
    "invalid_characters": {"UnicodeDecodeError"},
}
# Codes with no PyJWT class: they answer only a server_error (HTTP 500), never a 401.
#   key_unavailable        the server raised while reading or loading the key file the token
#                          selects (missing, a directory, unparsable, a type cryptography lacks)
#   unsupported_algorithm  PyJWT's prepare_key raised TypeError (a key object of another family)
# (feature_missing is a build without a key family: the wasm check's business, never the CLI's.)
SERVER_ERROR_CODES = {"key_file": {"key_unavailable"}, "TypeError": {"unsupported_algorithm"}}


def py_class(cause: str | None) -> str | None:
    return cause.split(":", 1)[0] if cause else None


def py_message(cause: str | None) -> str | None:
    if not cause:
        return None
    return cause.split(": ", 1)[1] if ": " in cause else cause


# ---------------------------------------------------------------------------------------------
# hardenings
# ---------------------------------------------------------------------------------------------
def load_hardenings(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)["hardenings"]


def match_hardening(hardenings, case, actual):
    code = actual.get("code") if isinstance(actual, dict) else None
    if not isinstance(actual, dict) or actual.get("ok") is not False:
        return None
    size = len(case["input"].encode("utf-8", "surrogatepass")) if isinstance(case.get("input"), str) else 0
    for h in hardenings:
        if h["name"] == "server_error" or h.get("config_refused"):
            continue
        if not any(fnmatch.fnmatchcase(case["category"], pat) for pat in h.get("categories", ["*"])):
            continue
        codes = h.get("codes", ["*"])
        if "*" not in codes and code not in codes:
            continue
        if size < h.get("min_input_bytes", 0):
            continue
        return h["name"]
    return None


def match_config_refusal(hardenings, profile, error_text):
    """Hardenings with "config_refused": the Rust CLI refuses a whole settings profile (exit 2)."""
    for h in hardenings:
        if not h.get("config_refused"):
            continue
        if any(fnmatch.fnmatchcase(profile, pat) for pat in h.get("profiles", [])) and \
                h.get("stderr_contains", "") in error_text:
            return h["name"]
    return None


def judge(case, expected, actual, hardenings):
    """-> (status, note)"""
    if actual is None:
        return FAIL, "no Rust verdict"
    if not isinstance(actual, dict) or "ok" not in actual:
        return FAIL, f"malformed Rust output {short(actual)}"
    if "server_error" in expected:
        if actual.get("ok") is not False:
            return FAIL, "Python server answers HTTP 500, Rust accepted"
        # The 500's origin decides the code: a key file the server cannot read or load is
        # key_unavailable; prepare_key's TypeError is unsupported_algorithm; key_unavailable
        # never answers anything else.
        code = actual.get("code")
        if expected.get("at") == "key_file":
            want = SERVER_ERROR_CODES["key_file"]
        else:
            want = SERVER_ERROR_CODES.get(py_class(expected["server_error"]))
        if want is not None and code not in want:
            return FAIL, f"server 500 ({expected.get('at')}, {py_class(expected['server_error'])}): rust code {code!r}, want {sorted(want)}"
        if want is None and code == "key_unavailable":
            return FAIL, "rust key_unavailable for a 500 that is not a key-file failure"
        return DOC, "server_error"
    if expected["ok"] and actual["ok"] is True:
        if expected.get("anonymous") or actual.get("anonymous"):
            if bool(expected.get("anonymous")) == bool(actual.get("anonymous")):
                return AGREE, ""
            return FAIL, "anonymous vs authenticated"
        d = strict_diff(expected["header"], actual.get("header"), "header") or strict_diff(
            expected["payload"], actual.get("payload"), "payload")
        return (AGREE, "") if d is None else (FAIL, d)
    if expected["ok"] is False and actual["ok"] is False and expected.get("detail") == actual.get("detail"):
        want, got = CODE_CLASSES.get(actual.get("code")), py_class(expected.get("cause"))
        if want is None:
            return FAIL, f"no PyJWT class known for Rust code {actual.get('code')!r}"
        if got not in want:
            return FAIL, f"same DRF text, different error class: python {got} / rust {actual.get('code')}"
        return AGREE, ""
    name = match_hardening(hardenings, case, actual)
    if name:
        return DOC, name
    return FAIL, "verdicts differ"


# ---------------------------------------------------------------------------------------------
# Rust CLI
# ---------------------------------------------------------------------------------------------
class CliError(Exception):
    pass


def run_cli(binary, mode, settings_path, now, lines, timeout=120, extra=(), stderr_out=None):
    payload = "".join(line + "\n" for line in lines).encode("utf-8", "surrogatepass")
    cmd = [binary, mode, "--settings", settings_path, "--now", str(now), *extra]
    try:
        proc = subprocess.run(cmd, input=payload, capture_output=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CliError(f"{' '.join(cmd)}: {exc}") from exc
    if stderr_out is not None:
        stderr_out.append(proc.stderr.decode("utf-8", "replace"))
    out_lines = [ln for ln in proc.stdout.decode("utf-8", "replace").split("\n") if ln.strip()]
    if proc.returncode == 2 or len(out_lines) != len(lines):
        raise CliError(f"{' '.join(cmd)}: exit {proc.returncode}, {len(out_lines)} output lines for {len(lines)} "
                       f"inputs; stderr: {proc.stderr.decode('utf-8', 'replace')[:500]}")
    results = []
    for ln in out_lines:
        try:
            results.append(json.loads(ln))
        except ValueError:
            results.append({"unparseable": ln[:200]})
    return results, proc.returncode


def case_kid(case):
    """The `kid` header member of a case's token, or None."""
    text = case.get("input")
    if not isinstance(text, str):
        return None
    if case.get("mode") == "authenticate":
        parts = text.split()
        text = parts[1] if len(parts) == 2 else ""
    try:
        header = json.loads(b64d(text.split(".")[0]))
    except Exception:  # noqa: BLE001 - not a token we can read: no kid
        return None
    return header.get("kid") if isinstance(header, dict) else None


WARNING_RE = re.compile(r'^drf-sso-jwt: warning: key file ("(?:[^"\\]|\\.)*"): (.*)$')


def parse_warnings(stderr):
    """The CLI's key-store warnings: {file name: code} (unknown_key or key_unavailable)."""
    out = {}
    for line in stderr.splitlines():
        m = WARNING_RE.match(line)
        if m:
            code = "unknown_key" if m.group(2).endswith('get "Unauthorized token signing key."') else "key_unavailable"
            out[json.loads(m.group(1))] = code
    return out


def expected_warnings(oracle, profile_path):
    """{file name: code} for every PUBLIC_KEYS file the server would fail on, as the server
    reads it (an issuer whose value is empty names no file: the server never reads one)."""
    settings = load_settings_file(profile_path)
    names = []
    for value in (settings.get("PUBLIC_KEYS") or {}).values():
        for name in ([value] if isinstance(value, str) else list(value or [])) if value else []:
            if name not in names:
                names.append(name)
    oracle.use_settings(profile_path, settings)
    status = {n: oracle.key_file_status(n) for n in names}
    codes = {"no_public_key": "unknown_key", "error": "key_unavailable"}
    return {n: codes[st] for n, st in status.items() if st != "key"}, len(names)


# ---------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------
def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=DEFAULT_BIN, help="drf-sso-jwt binary (env DRF_SSO_JWT_BIN)")
    ap.add_argument("--out", default=os.path.join(REPO_ROOT, "target", "parity"), help="build directory")
    ap.add_argument("--skip-rust", action="store_true", help="oracle only: write the corpus, no comparison")
    ap.add_argument("--skip-sign", action="store_true", help="skip the sign-parity part (CLI lacks `sign`)")
    ap.add_argument("--skip-cross-check", action="store_true",
                    help="skip re-running the corpus with the portable kernel and the rsa crate")
    ap.add_argument("--category", action="append", help="only categories matching this glob (repeatable)")
    ap.add_argument("--hardening", default=os.path.join(HERE, "hardening.json"))
    ap.add_argument("--show", type=int, default=200, help="max failing cases to print")
    ap.add_argument("--strict-messages", action="store_true",
                    help="count a differing precise `message` (PyJWT cause) as a failure")
    args = ap.parse_args(argv)

    t0 = time.time()
    os.makedirs(args.out, exist_ok=True)
    profile_paths = corpus.write_profiles(args.out)
    cases = corpus.generate()
    if args.category:
        cases = [c for c in cases if any(fnmatch.fnmatchcase(c["category"], p) for p in args.category)]
    hardenings = load_hardenings(args.hardening)

    # ---- oracle ----------------------------------------------------------------------------
    oracle = Oracle()
    groups = OrderedDict()
    for c in cases:
        groups.setdefault((c["profile"], c["now"]), []).append(c)
    expected = {}
    for (profile, now), group in groups.items():
        oracle.use_settings(profile, load_settings_file(profile_paths[profile]))
        with oracle.frozen(now):
            for c in group:
                if c["mode"] == "verify":
                    expected[c["id"]] = oracle.verify(c["input"])
                else:
                    expected[c["id"]] = oracle.authenticate(c["input"])
    with open(os.path.join(args.out, "corpus.jsonl"), "w", encoding="utf-8") as fh:
        for c in cases:
            fh.write(dumps(dict(c, expected=expected[c["id"]])) + "\n")
    t_oracle = time.time() - t0
    cats = sorted({c["category"] for c in cases})
    print(f"corpus: {len(cases)} cases in {len(cats)} categories, {len(groups)} (profile, now) groups; "
          f"oracle {t_oracle:.1f}s; written to {os.path.relpath(os.path.join(args.out, 'corpus.jsonl'), REPO_ROOT)}")

    if args.skip_rust:
        dist = defaultdict(lambda: defaultdict(int))
        for c in cases:
            e = expected[c["id"]]
            key = "ok" if e["ok"] else ("500" if "server_error" in e else e["detail"][:28])
            dist[c["category"]][key] += 1
        for cat in cats:
            print(f"  {cat:32s} " + ", ".join(f"{k}: {v}" for k, v in sorted(dist[cat].items())))
        print("oracle only (--skip-rust): nothing compared")
        print(f"{len(cases)} passed, 0 failed")
        return 0

    # ---- Rust ------------------------------------------------------------------------------
    if not os.path.exists(args.bin):
        print(f"ERROR: Rust CLI not found at {args.bin} (build with `cargo build --release` "
              f"or pass --bin / DRF_SSO_JWT_BIN)")
        print(f"0 passed, {len(cases)} failed")
        return 1
    actual = {}
    config_refused = {}
    group_notes = []
    warnings_seen = {}
    rgroups = OrderedDict()
    for c in cases:
        rgroups.setdefault((c["profile"], c["now"], c["mode"]), []).append(c)
    for (profile, now, mode), group in rgroups.items():
        if mode == "verify":
            lines = [c["input"] for c in group]
        else:
            lines = [json.dumps(c["input"], ensure_ascii=True) for c in group]
        stderr = []
        try:
            results, rc = run_cli(args.bin, mode, profile_paths[profile], now, lines, stderr_out=stderr)
        except CliError as exc:
            refused = match_config_refusal(hardenings, profile, str(exc))
            if refused:
                for c in group:
                    config_refused[c["id"]] = refused
            else:
                group_notes.append(str(exc))
            continue
        want_rc = 0 if all(r.get("ok") is True for r in results) else 1
        if rc != want_rc:
            group_notes.append(f"{mode} {profile} --now {now}: exit code {rc}, expected {want_rc}")
        for c, r in zip(group, results):
            actual[c["id"]] = r
        if profile not in warnings_seen:
            warnings_seen[profile] = parse_warnings(stderr[0])
    t_rust = time.time() - t0 - t_oracle

    # ---- the same corpus through the other signature implementations -----------------------
    # The fast RSA path (AVX-512 IFMA or the x86-64 mulx kernel, where the CPU has them) must
    # answer exactly as the mulx rows, the portable Rust kernel and the `rsa` crate's own
    # verify, case for case.
    cross = {}
    if not args.skip_cross_check:
        for check in ("mulx", "portable", "rsa-crate"):
            same = differ = beyond = 0
            shown = []
            for (profile, now, mode), group in rgroups.items():
                if any(c["id"] not in actual for c in group):
                    continue  # config refused or a CLI problem, reported below
                if mode == "verify":
                    lines = [c["input"] for c in group]
                else:
                    lines = [json.dumps(c["input"], ensure_ascii=True) for c in group]
                try:
                    results, _ = run_cli(args.bin, mode, profile_paths[profile], now, lines,
                                         extra=("--signature-check", check))
                except CliError as exc:
                    group_notes.append(f"--signature-check {check}: {exc}")
                    continue
                for c, r in zip(group, results):
                    if r == actual[c["id"]]:
                        same += 1
                    elif check == "rsa-crate" and case_kid(c) in corpus.RSA_CRATE_EXPONENT_LIMIT_KIDS:
                        # The rsa crate refuses exponents over 2^33 - 1 (OpenSSL, and so the
                        # fast path and the portable kernel, verify with them).
                        beyond += 1
                    else:
                        differ += 1
                        if len(shown) < 10:
                            shown.append((c["id"], actual[c["id"]], r))
            cross[check] = (same, differ)
            extra = (f"; {beyond} with a key whose exponent the rsa crate refuses (e > 2^33 - 1), not compared"
                     if beyond else "")
            print(f"signature cross-check, fast vs {check}: {same} identical, {differ} different{extra}")
            for cid, fast, other in shown:
                print(f"  {cid}: fast {short(fast, 160)} / {check} {short(other, 160)}")
            if differ:
                group_notes.append(f"--signature-check {check} differs on {differ} cases (first: "
                                   f"{', '.join(cid for cid, _, _ in shown)})")

    # ---- compare ---------------------------------------------------------------------------
    table = OrderedDict((cat, defaultdict(int)) for cat in cats)
    failures = []
    msg_mismatch = []
    doc_names = defaultdict(int)
    for c in cases:
        e, a = expected[c["id"]], actual.get(c["id"])
        if c["id"] in config_refused:
            status, note = DOC, config_refused[c["id"]]
        else:
            status, note = judge(c, e, a, hardenings)
        row = table[c["category"]]
        row["cases"] += 1
        if status == AGREE and e.get("ok") is False and isinstance(a, dict):
            pm, rm = py_message(e.get("cause")), a.get("message")
            if pm is not None and rm != pm:
                msg_mismatch.append((c, e, a))
                row["msg"] += 1
                if args.strict_messages:
                    status, note = FAIL, f"message {rm!r} != {pm!r}"
        row[status] += 1
        if status == DOC:
            doc_names[note] += 1
        if status == FAIL:
            failures.append((c["category"], c, e, a, note))

    # ---- key-store warnings: every file the server fails on, and only those ----------------
    wrow = table.setdefault("key_store_warnings", defaultdict(int))
    for profile, got in warnings_seen.items():
        want, n_files = expected_warnings(oracle, profile_paths[profile])
        wrong = [name for name in sorted(set(want) | set(got)) if want.get(name) != got.get(name)]
        wrow["cases"] += max(n_files, len(wrong))
        wrow[AGREE] += max(n_files, len(wrong)) - len(wrong)
        for name in wrong:
            if True:
                wrow[FAIL] += 1
                failures.append(("key_store_warnings", {"id": f"key_store_warnings/{profile}/{name}", "profile": profile,
                                                        "now": "-", "mode": "-", "input": name},
                                 {"warning": want.get(name)}, {"warning": got.get(name)},
                                 "the CLI's start-up warning differs from what the server makes of the file"))

    # ---- sign parity -----------------------------------------------------------------------
    if not args.skip_sign:
        sign_rows, sign_failures = sign_parity(args, oracle, profile_paths)
        for cat, row in sign_rows.items():
            table[cat] = row
        failures.extend(sign_failures)

    # ---- report ----------------------------------------------------------------------------
    print()
    print(f"{'category':34s} {'cases':>6s} {'agree':>6s} {'doc':>5s} {'fail':>5s} {'msg!=':>6s}")
    for cat, row in table.items():
        print(f"{cat:34s} {row['cases']:6d} {row[AGREE]:6d} {row[DOC]:5d} {row[FAIL]:5d} {row['msg']:6d}")
    if doc_names:
        print("\ndocumented divergences: " + ", ".join(f"{k}={v}" for k, v in sorted(doc_names.items())))
    if msg_mismatch:
        print(f"\n{len(msg_mismatch)} agreeing rejections with a different precise message (informational"
              f"{'' if not args.strict_messages else ', counted as failures'}); first 15:")
        for c, e, a in msg_mismatch[:15]:
            print(f"  {c['id']}: python {e.get('cause')!r} / rust {a.get('code')!r} {a.get('message')!r}")
    for note in group_notes:
        print(f"\nCLI problem: {note}")
    if failures:
        print(f"\nFAILURES ({len(failures)}; showing {min(len(failures), args.show)}):")
        for cat, c, e, a, note in failures[: args.show]:
            print(f"- [{cat}] {c.get('id')} profile={c.get('profile')} now={c.get('now')} mode={c.get('mode')}")
            print(f"    input:  {short(c.get('input'), 140)}")
            print(f"    python: {short(e, 300)}")
            print(f"    rust:   {short(a, 300)}")
            print(f"    why:    {note}")
    n_fail = len(failures) + len(group_notes)
    n_pass = sum(row[AGREE] + row[DOC] for row in table.values())
    print(f"\ntiming: oracle {t_oracle:.1f}s, rust {t_rust:.1f}s, total {time.time() - t0:.1f}s")
    print(f"{n_pass} passed, {n_fail} failed")
    return 1 if n_fail else 0


def b64d(seg):
    return base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4))


def sign_parity(args, oracle, profile_paths):
    shapes = corpus.sign_shapes()
    rows = OrderedDict()
    failures = []
    now = corpus.NOW
    for prof in corpus.SIGN_PROFILES:
        alg = corpus.SIGN_PROFILES[prof]["ENCODE_ALGORITHM"]
        cat = prof
        row = rows.setdefault(cat, defaultdict(int))
        oracle.use_settings(prof, load_settings_file(profile_paths[prof]))
        with oracle.frozen(now):
            py = [oracle.encode(json.loads(json.dumps(s))) for s in shapes]
        lines = [json.dumps(s, ensure_ascii=True) for s in shapes]
        try:
            rust, _rc = run_cli(args.bin, "sign", profile_paths[prof], now, lines)
        except CliError as exc:
            row["cases"] += len(shapes)
            row[FAIL] += len(shapes)
            failures.append((cat, {"id": cat, "profile": prof, "now": now, "mode": "sign", "input": ""}, {},
                             {}, f"CLI error: {exc} (use --skip-sign if `sign` is not implemented)"))
            continue
        with oracle.frozen(now):
            for i, (shape, p, r) in enumerate(zip(shapes, py, rust)):
                case = {"id": f"{cat}/{i}", "profile": prof, "now": now, "mode": "sign", "input": lines[i]}
                row["cases"] += 1
                status, note = AGREE, ""
                if not p["ok"] or r.get("ok") is not True:
                    if p["ok"] != r.get("ok"):
                        status, note = FAIL, "one side failed to sign"
                # RS* and EdDSA are deterministic: the tokens must be byte-identical (so are the
                # verdicts); PS* and ES* are randomised: the oracle must give both the same verdict.
                elif alg.startswith("RS") or alg == "EdDSA":
                    if p["token"] != r["token"]:
                        status, note = FAIL, token_diff(p["token"], r["token"])
                else:
                    pv, rv = oracle.verify(p["token"]), oracle.verify(r["token"])
                    if pv["ok"] != rv["ok"]:
                        status, note = FAIL, f"oracle verdict python-signed {short(pv, 120)} vs rust-signed {short(rv, 120)}"
                    elif pv["ok"]:
                        d = strict_diff(pv["payload"], rv["payload"], "payload") or strict_diff(
                            pv["header"], rv["header"], "header")
                        if d:
                            status, note = FAIL, d
                    elif pv.get("detail") != rv.get("detail"):
                        status, note = FAIL, "oracle rejects both with different details"
                row[status] += 1
                if status == FAIL:
                    failures.append((cat, case, p, r, note))
    return rows, failures


def token_diff(a, b):
    sa, sb = a.split("."), b.split(".")
    for name, x, y in zip(("header", "payload", "signature"), sa, sb):
        if x != y:
            if name == "signature":
                return "signatures differ"
            try:
                return f"{name} differs: python {b64d(x)[:200]!r} rust {b64d(y)[:200]!r}"
            except Exception:  # noqa: BLE001
                return f"{name} segment differs"
    return "token shapes differ"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
