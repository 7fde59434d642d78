"""Shared pieces of the real-Envoy test and benchmark: processes stopped by PID, an echo
upstream, the Django issuer, Envoy bootstrap/ECDS files, tokens minted with the CLI.

Everything binds 127.0.0.1 (Envoy's listeners and admin on port 0, read back from the
admin API); every process is started in its own session and stopped by its PID, also
when a test fails (atexit + SIGTERM/SIGINT handlers). Python standard library only.
"""

from __future__ import annotations

import atexit
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
KEYS = os.path.join(ROOT, "keys")
ISSUER_DIR = os.path.join(ROOT, "tests", "parity", "issuer")

_procs: list[subprocess.Popen] = []


def stop(proc: subprocess.Popen, timeout: float = 10.0) -> int | None:
    """SIGTERM to the process (its own session: only it), then SIGKILL after `timeout`."""
    if proc in _procs:
        _procs.remove(proc)
    if proc.poll() is None:
        try:
            os.kill(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=timeout)
    return proc.returncode


def stop_all():
    while _procs:
        stop(_procs[-1])


def _on_signal(signum, _frame):
    stop_all()
    sys.exit(128 + signum)


atexit.register(stop_all)
signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


def spawn(args, log_path, env=None, cwd=None) -> subprocess.Popen:
    log = open(log_path, "ab")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                            start_new_session=True, stdin=subprocess.DEVNULL)
    log.close()
    _procs.append(proc)
    return proc


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, check, timeout=30.0, interval=0.05):
    """Polls `check()` until it returns a true value (returned), at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            got = check()
            if got:
                return got
        except (OSError, http.client.HTTPException, ValueError) as e:
            last = e
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last error: {last})")


# ---- upstream: echo server --------------------------------------------------------------

class Echo:
    """Answers every request with 200 and JSON {method, path, headers: [[name, value]]}
    (values as latin-1 text, i.e. the raw bytes a WSGI server would hand Django). Counts
    the requests it saw, so a test can prove a refused request never reached it."""

    def __init__(self):
        echo = self
        self.count = 0
        self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self):
                n = int(self.headers.get("content-length") or 0)
                if n:
                    self.rfile.read(n)
                with echo.lock:
                    echo.count += 1
                body = json.dumps({"method": self.command, "path": self.path,
                                   "headers": [[k.lower(), v] for k, v in self.headers.raw_items()]}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


ECHO_MAIN = '''
import sys
sys.path.insert(0, {here!r})
import harness, time
e = harness.Echo()
print(e.port, flush=True)
while True:
    time.sleep(3600)
'''


def echo_process(workdir) -> tuple[subprocess.Popen, int]:
    """The echo server in a process of its own (for benchmarks: no shared GIL)."""
    log = os.path.join(workdir, "echo.log")
    proc = spawn([sys.executable, "-c", ECHO_MAIN.format(here=HERE)], log)
    port = wait_for("the echo server", lambda: open(log).read().split()[0] if os.path.getsize(log) else None, 15)
    return proc, int(port)


# ---- tokens (the repository's CLI) ------------------------------------------------------

class Minter:
    """`drf-sso-jwt issue` with the test keys; `key` picks the private key used for
    issuer myapp, and its file name gives the `kid` (as drf-sso derives it)."""

    def __init__(self, cli, workdir):
        self.cli = cli
        self.dir = os.path.join(workdir, "minter")
        os.makedirs(self.dir, exist_ok=True)
        self.settings = {}
        base = json.load(open(os.path.join(KEYS, "settings.json")))
        base["KEY_STORE_ROOT"] = KEYS
        for name, identity, key in [("myapp", "myapp", "myapp-20200410.pem"),
                                    ("myapp-2018", "myapp", "myapp-20180101.pem"),
                                    ("otherapp", "otherapp", "otherapp-2024.pem")]:
            s = dict(base, IDENTITY=identity, PRIVATE_KEYS={identity: key})
            self.settings[name] = self._write(name, s)
        # The attacker's key filed under the current key's name: kid myapp-20200410, wrong signature.
        forged_root = os.path.join(self.dir, "forged-keys")
        os.makedirs(forged_root, exist_ok=True)
        with open(os.path.join(KEYS, "test-only-attacker.pem")) as src, \
                open(os.path.join(forged_root, "myapp-20200410.pem"), "w") as dst:
            dst.write(src.read())
        self.settings["forged"] = self._write("forged", dict(
            base, KEY_STORE_ROOT=forged_root, PUBLIC_KEYS={"myapp": "myapp-20200410.pem"},
            PRIVATE_KEYS={"myapp": "myapp-20200410.pem"}))
        # The attacker's key under its own name: a kid nobody configured.
        self.settings["unknown-kid"] = self._write(
            "unknown-kid", dict(base, PRIVATE_KEYS={"myapp": "test-only-attacker.pem"}))

    def _write(self, name, settings):
        path = os.path.join(self.dir, f"{name}.json")
        with open(path, "w") as f:
            json.dump(settings, f)
        return path

    def issue(self, kind="session", signer="myapp", uid="u-1", sid="s-1", email=None, cid=None,
              now=None, claims=None) -> str:
        args = [self.cli, "issue", "--settings", self.settings[signer], "--type", kind,
                "--uid", json.dumps(uid), "--sid", json.dumps(sid)]
        if email is not None:
            args += ["--email", email]
        if cid is not None:
            args += ["--cid", cid]
        if now is not None:
            args += ["--now", str(now)]
        for k, v in (claims or {}).items():
            args += ["--claim", f"{k}={json.dumps(v)}"]
        out = subprocess.run(args, capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            raise RuntimeError(f"issue failed: {out.stderr}")
        return out.stdout.strip()

    def jwks(self) -> str:
        out = subprocess.run([self.cli, "jwks", "--settings", os.path.join(KEYS, "settings.json")],
                             capture_output=True, text=True, timeout=30, check=True)
        return out.stdout.strip()


def tamper(token: str) -> str:
    """One signature character changed well inside the segment (the last carries padding bits)."""
    i = len(token) - 20
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]


# ---- plugin configuration and Envoy files -----------------------------------------------

def public_half(file_name: str) -> str:
    text = open(os.path.join(KEYS, file_name)).read()
    m = re.search(r"-----BEGIN PUBLIC KEY-----.*?-----END PUBLIC KEY-----\n?", text, re.S)
    return m.group(0)


def plugin_config(public_keys=None, **extra) -> dict:
    """keys/settings.json without PRIVATE_KEYS / KEY_STORE_ROOT, the public halves of the
    test keys, and `extra` top-level keys."""
    settings = json.load(open(os.path.join(KEYS, "settings.json")))
    settings.pop("PRIVATE_KEYS")
    settings.pop("KEY_STORE_ROOT")
    if public_keys is not None:
        settings["PUBLIC_KEYS"] = public_keys
    files = set()
    for v in settings["PUBLIC_KEYS"].values():
        files.update([v] if isinstance(v, str) else v)
    cfg = {"settings": settings, "keys": {f: public_half(f) for f in sorted(files)}}
    cfg.update(extra)
    return cfg


def wasm_filter(wasm: str, plugin: dict, *, vm_id="drf_sso_jwt", as_struct=False) -> dict:
    """An `envoy.extensions.filters.http.wasm.v3.Wasm` with the plugin configuration as a
    StringValue (JSON text) or as a google.protobuf.Struct."""
    if as_struct:
        configuration = {"@type": "type.googleapis.com/google.protobuf.Struct", "value": plugin}
    else:
        configuration = {"@type": "type.googleapis.com/google.protobuf.StringValue", "value": json.dumps(plugin)}
    return {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
        "config": {
            "name": "drf_sso_jwt",
            "root_id": "drf_sso_jwt",
            # Fail closed: a VM that cannot start answers 503, never passes unauthenticated.
            # (`fail_open: false` says the same, deprecated since Envoy 1.3x.)
            "failure_policy": "FAIL_CLOSED",
            "vm_config": {"vm_id": vm_id, "runtime": "envoy.wasm.runtime.v8",
                          "code": {"local": {"filename": wasm}}},
            "configuration": configuration,
        },
    }


def write_atomically(path: str, data: dict):
    """Envoy's file subscriptions expect a rename, not an in-place write."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f)
    os.rename(tmp, path)


def ecds_resource(name: str, typed_config: dict) -> dict:
    return {"resources": [{"@type": "type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig",
                           "name": name, "typed_config": typed_config}]}


ACCESS_LOG_FORMAT = ("[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" "
                     "%RESPONSE_CODE% %RESPONSE_CODE_DETAILS% test=%REQ(X-TEST-ID)% "
                     "uid=%REQ(X-SSO-UID)% upstream=%UPSTREAM_HOST%\n")


def hcm(stat_prefix, http_filters, routes, access_log=None) -> dict:
    h = {
        "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
        "stat_prefix": stat_prefix,
        # Rules and skip paths compare the path: let Envoy normalise it first.
        "normalize_path": True,
        "merge_slashes": True,
        "path_with_escaped_slashes_action": "UNESCAPE_AND_REDIRECT",
        "route_config": {"virtual_hosts": [{"name": "all", "domains": ["*"], "routes": routes}]},
        "http_filters": http_filters + [{"name": "envoy.filters.http.router", "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}],
    }
    if access_log:
        h["access_log"] = [{"name": "envoy.access_loggers.file", "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
            "path": access_log,
            "log_format": {"text_format_source": {"inline_string": ACCESS_LOG_FORMAT}}}}]
    return h


def listener(name, hcm_config) -> dict:
    return {"name": name, "address": {"socket_address": {"address": "127.0.0.1", "port_value": 0}},
            "filter_chains": [{"filters": [{"name": "envoy.filters.network.http_connection_manager",
                                            "typed_config": hcm_config}]}]}


def cluster(name, port) -> dict:
    return {"name": name, "type": "STATIC", "connect_timeout": "2s",
            "load_assignment": {"cluster_name": name, "endpoints": [{"lb_endpoints": [
                {"endpoint": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": port}}}}]}]}}


def ecds_filter(name, path) -> dict:
    """An HTTP filter whose configuration comes from a file (ECDS): rewriting the file
    pushes a new plugin configuration into the running Envoy."""
    return {"name": name, "config_discovery": {
        "config_source": {"path_config_source": {"path": path, "watched_directory": {"path": os.path.dirname(path)}},
                          "resource_api_version": "V3"},
        "type_urls": ["type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm"]}}


ADMIN_OVERLAY = '{"admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": 0}}}}'


def bootstrap(listeners, clusters) -> dict:
    return {"node": {"id": "drf-sso-jwt-test", "cluster": "drf-sso-jwt-test"},
            "admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": 0}}},
            "static_resources": {"listeners": listeners, "clusters": clusters}}


class Envoy:
    """One Envoy process: started on a bootstrap file, addresses read from its admin API."""

    def __init__(self, binary, workdir, boot: dict | None, concurrency=1, log_level="warn", tag="envoy",
                 config_path=None, extra_args=()):
        self.binary = binary
        self.workdir = workdir
        self.boot_path = config_path or os.path.join(workdir, f"{tag}-bootstrap.json")
        if boot is not None:
            with open(self.boot_path, "w") as f:
                json.dump(boot, f, indent=1)
        self.admin_path = os.path.join(workdir, f"{tag}-admin-address")
        if os.path.exists(self.admin_path):
            os.remove(self.admin_path)
        self.log_path = os.path.join(workdir, f"{tag}.log")
        self.proc = spawn([binary, "-c", self.boot_path, "--concurrency", str(concurrency),
                           "--disable-hot-restart", "--admin-address-path", self.admin_path,
                           "--log-level", log_level, "--component-log-level", "wasm:info",
                           "--file-flush-interval-msec", "100", "--drain-time-s", "1", *extra_args],
                          self.log_path)
        self.admin = wait_for(f"{tag} admin address", self._admin_address, 60)
        self.ports = wait_for(f"{tag} listeners", self._listeners, 60)

    def _admin_address(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"Envoy exited with {self.proc.returncode}: {self.log_tail()}")
        if os.path.exists(self.admin_path):
            text = open(self.admin_path).read().strip()
            return text or None
        return None

    def _listeners(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"Envoy exited with {self.proc.returncode}: {self.log_tail()}")
        got = json.loads(self.admin_get("/listeners?format=json"))
        ports = {s["name"]: s["local_address"]["socket_address"]["port_value"]
                 for s in got.get("listener_statuses", [])}
        ready = self.admin_get("/ready").strip() == "LIVE"
        return ports if ports and ready and all(ports.values()) else None

    def admin_get(self, path) -> str:
        host, port = self.admin.rsplit(":", 1)
        c = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            c.request("GET", path)
            return c.getresponse().read().decode()
        finally:
            c.close()

    def stats(self) -> dict:
        out = {}
        for line in self.admin_get("/stats").splitlines():
            k, _, v = line.partition(": ")
            if v.strip().isdigit():
                out[k] = int(v)
        return out

    def log_tail(self, n=3000) -> str:
        try:
            return open(self.log_path, errors="replace").read()[-n:]
        except OSError:
            return ""

    def version(self) -> str:
        return json.loads(self.admin_get("/server_info"))["version"]

    def stop(self) -> int | None:
        return stop(self.proc)


# ---- the Django issuer behind Envoy ------------------------------------------------------

class Django:
    """tests/parity/issuer under `manage.py runserver` (JWTAuthentication on /authorize/)."""

    def __init__(self, python, workdir):
        self.env = dict(os.environ, PARITY_DB_DIR=workdir, PYTHONUNBUFFERED="1",
                        PARITY_SSO_SETTINGS=os.path.join(KEYS, "settings.json"),
                        DJANGO_SETTINGS_MODULE="issuer.settings")
        manage = [python, os.path.join(ISSUER_DIR, "manage.py")]
        for cmd in (["migrate", "-v0"], ["create_parity_users"]):
            subprocess.run(manage + cmd, env=self.env, cwd=ISSUER_DIR, check=True, capture_output=True, timeout=120)
        self.port = free_port()
        self.log_path = os.path.join(workdir, "django.log")
        self.proc = spawn(manage + ["runserver", f"127.0.0.1:{self.port}", "--noreload"], self.log_path,
                          env=self.env, cwd=ISSUER_DIR)

        def answers():
            if self.proc.poll() is not None:
                raise AssertionError(f"Django exited: {open(self.log_path).read()[-2000:]}")
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                c.request("POST", "/session/", body=b"{}", headers={"content-type": "application/json"})
                return c.getresponse().status == 400
            finally:
                c.close()
        wait_for("the Django issuer", answers, 60, 0.2)

    def stop(self):
        stop(self.proc)


# ---- a client ----------------------------------------------------------------------------

class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # [(lower name, value)]
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k == name:
                return v
        return None

    def json(self):
        return json.loads(self.body)


def request(port, method, path, headers=(), body=None, conn=None) -> Response:
    """One request with exactly these headers (repeats allowed), on `conn` if given."""
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        c.putrequest(method, path, skip_accept_encoding=True)
        for k, v in headers:
            c.putheader(k, v)
        if body is not None:
            c.putheader("content-length", str(len(body)))
        c.endheaders(body)
        r = c.getresponse()
        data = r.read()
        return Response(r.status, [(k.lower(), v) for k, v in r.getheaders()], data)
    finally:
        if conn is None:
            c.close()
