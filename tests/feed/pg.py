"""A throw-away PostgreSQL server (Debian's postgresql package) for the feed tests and the
benchmark: initdb into a fresh directory, `postgres` on 127.0.0.1 and a free port, run as
the `postgres` system user (PostgreSQL refuses root) through `setpriv`, which execs, so the
process we hold is the server itself and is stopped by its PID (also on failure: atexit and
SIGTERM/SIGINT handlers)."""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

_servers: list["Postgres"] = []


def _bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} not found (apt-get install postgresql)")
    return found[-1]


def available() -> bool:
    try:
        _bin("postgres")
        pwd.getpwnam("postgres")
        return True
    except (RuntimeError, KeyError):
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    def __init__(self):
        # In the system temp folder: the postgres user must be able to reach it.
        self.dir = tempfile.mkdtemp(prefix="feed-pg-")
        self.data = os.path.join(self.dir, "data")
        self.port = _free_port()
        self.proc = None
        pw = pwd.getpwnam("postgres")
        os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self._as = []
        if os.geteuid() == 0:
            self._as = ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--init-groups", "--"]

    def start(self):
        r = subprocess.run(self._as + [_bin("initdb"), "-D", self.data, "-U", "postgres", "--auth=trust",
                                       "-E", "UTF8", "--no-sync", "--no-instructions"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if r.returncode != 0:
            raise RuntimeError(f"initdb failed: {r.stderr.decode()[-1000:]}")
        log = open(os.path.join(self.dir, "postgres.log"), "ab")
        # fsync off: a throw-away server; the benchmark measures queries, not disks.
        self.proc = subprocess.Popen(
            self._as + [_bin("postgres"), "-D", self.data, "-h", "127.0.0.1", "-p", str(self.port),
                        "-k", self.dir, "-c", "fsync=off", "-c", "synchronous_commit=off",
                        "-c", "full_page_writes=off", "-c", "shared_buffers=256MB"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        _servers.append(self)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"postgres exited ({self.proc.returncode}); see {self.dir}/postgres.log")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    pass
                r = subprocess.run([_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                if r.returncode == 0:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("postgres did not start within 30 s")

    def create_database(self, name: str):
        subprocess.run([_bin("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-q",
                        "-c", f'CREATE DATABASE "{name}"'], check=True, stdout=subprocess.DEVNULL)

    def django(self, name: str) -> dict:
        """The DATABASES entry (without ENGINE) of database `name`."""
        return {"HOST": "127.0.0.1", "PORT": str(self.port), "NAME": name, "USER": "postgres"}

    def stop(self):
        if self in _servers:
            _servers.remove(self)
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # fast shutdown
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)
        shutil.rmtree(self.dir, ignore_errors=True)


def _stop_all():
    while _servers:
        _servers[-1].stop()


def _on_signal(signum, _frame):
    _stop_all()
    sys.exit(128 + signum)


atexit.register(_stop_all)
for _s in (signal.SIGTERM, signal.SIGINT):
    if signal.getsignal(_s) in (signal.SIG_DFL, signal.default_int_handler):
        signal.signal(_s, _on_signal)
