"""Verified-token cache equivalence over the whole parity corpus.

For every (profile, mode) group of target/parity/corpus.jsonl (written by run_parity.py),
the CLI runs uncached at several `now` values, and with `--cache 1024` on the inputs
repeated twice (second pass = cache hits) at the same `now` values. Every cached line
must equal the uncached one. Ends with `N passed, M failed`.
"""
import json, subprocess, sys, collections, os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("DRF_SSO_JWT_BIN", os.path.join(ROOT, "target/release/drf-sso-jwt"))
PROFILES = os.path.join(ROOT, "target/parity/profiles")
OFFSETS = [-400, 0, 299, 300, 86_400 * 365]


def run(profile, mode, now, lines, cache):
    cmd = [BIN, mode, "--settings", os.path.join(PROFILES, profile + ".json"), "--now", str(now)]
    if cache:
        cmd += ["--cache", str(cache)]
    p = subprocess.run(cmd, input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=120)
    if p.returncode == 2:
        return None  # profile refused at startup (documented config hardening)
    return p.stdout.splitlines()


def main():
    groups = collections.defaultdict(list)
    with open(os.path.join(ROOT, "target/parity/corpus.jsonl")) as f:
        for line in f:
            c = json.loads(line)
            if c["mode"] not in ("verify", "authenticate"):
                continue
            inp = c["input"] if c["mode"] == "verify" else json.dumps(c["input"])
            if c["mode"] == "verify" and (not inp.strip() or "\n" in inp or "\r" in inp):
                continue  # the CLI reads one token per non-empty line
            groups[(c["profile"], c["mode"], c["now"])].append(inp)
    passed = failed = 0
    for (profile, mode, base_now), lines in sorted(groups.items()):
        for off in OFFSETS:
            now = base_now + off
            plain = run(profile, mode, now, lines, 0)
            if plain is None:
                continue
            cached = run(profile, mode, now, lines + lines, 1024)
            for i, want in enumerate(plain):
                for got in (cached[i], cached[i + len(plain)]):
                    if got == want:
                        passed += 1
                    else:
                        failed += 1
                        print(f"MISMATCH {profile}/{mode} now={now} line {i}:\n  uncached {want}\n  cached   {got}")
    print(f"cache equivalence over {sum(len(v) for v in groups.values())} corpus inputs x {len(OFFSETS)} clocks")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
