"""A throwaway PostgreSQL server for the ledger tests, from the machine's own binaries.

``initdb`` makes a cluster in a fresh temporary folder and ``pg_ctl`` starts it listening on a unix
socket in that folder only (no TCP port, nothing shared with other servers); :meth:`Server.stop`
stops it and removes the folder. Start-up takes about 1.5 s, so the tests start one per session
(one per xdist worker) and give each test a database of its own (:meth:`Server.new_database`).

PostgreSQL refuses to run as root. As root, the cluster is made and run by an unprivileged account
(``postgres`` when Debian's package created it, else ``nobody``) through ``runuser``: the folder is
given to that account, and the test process, being root, can still reach the socket. The tests
connect as the cluster's superuser ``badgekit`` with ``trust`` authentication, which the socket's
private folder makes safe.

Binaries: ``pg_config --bindir``, else the newest ``/usr/lib/postgresql/*/bin``, else ``initdb``
on PATH. Missing binaries or psycopg skip the PostgreSQL tests, unless ``BADGEKIT_REQUIRE_POSTGRES=1``
(set by scripts/test) makes them fail.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

REQUIRE_ENV = "BADGEKIT_REQUIRE_POSTGRES"
SUPERUSER = "badgekit"


class Unavailable(Exception):
    """No PostgreSQL binaries or no psycopg: the reason, for a skip or a failure."""


def find_bindir() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl``."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if out:
            candidates.append(Path(out))
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: _version(p.parent.name), reverse=True)
    candidates.extend(versions)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    raise Unavailable("no PostgreSQL server binaries (initdb, pg_ctl); install Debian's postgresql package")


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(p) for p in name.split(".") if p.isdigit())


class Server:
    """One running cluster; :meth:`url` names a database on it."""

    def __init__(self, root: Path, bindir: Path, user: str | None) -> None:
        self.root = root
        self.bindir = bindir
        self.user = user  # run the server as this account (we are root), or None: as ourselves
        self.data = root / "data"
        self.socket_dir = root
        self._names = itertools.count(1)
        self._running = False

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
        return result

    def start(self) -> Server:
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync", "--no-instructions")
        self._start()
        self._running = True
        return self

    def _start(self) -> None:
        settings = (f"-k {self.socket_dir} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
                    "-c full_page_writes=off -c max_connections=60")
        # -l: the server's output goes to a file, never to our pipe (pg_ctl restart would not keep it)
        self._run("pg_ctl", "-D", str(self.data), "-w", "-s", "-t", "60", "-o", settings,
                  "-l", str(self.root / "server.log"), "start")

    def restart(self) -> None:
        """Stop the server (fast: every session is cut, as in a failover or an upgrade) and start it again."""
        self._run("pg_ctl", "-D", str(self.data), "-w", "-s", "-t", "60", "-m", "fast", "stop")
        self._start()

    def stop(self) -> None:
        if self._running:
            self._running = False
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-s", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, dbname: str, *, password: str | None = None) -> str:
        user = SUPERUSER + (f":{password}" if password else "")
        return f"postgresql://{user}@/{dbname}?host={self.socket_dir}"

    def admin(self, dbname: str = "postgres") -> Any:
        import psycopg

        return psycopg.connect(self.url(dbname), autocommit=True)

    def new_database(self) -> str:
        """A fresh, empty database; returns its URL."""
        name = f"ledger_{os.getpid()}_{next(self._names)}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return self.url(name)

    def terminate(self, dbname: str) -> int:
        """Kill every session connected to ``dbname`` (as a DBA or a failover would); how many."""
        with self.admin() as conn:
            rows = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (dbname,),
            ).fetchall()
        return len(rows)


def start() -> Server:
    """Start a server in a new temporary folder (stopped at exit at the latest).

    Raises:
        Unavailable: no binaries or no psycopg.
    """
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise Unavailable("psycopg is not installed (pip install 'badgekit[postgres]')") from None
    bindir = find_bindir()
    user = None
    as_root = os.geteuid() == 0
    # As root, in /tmp: the server's account must reach the folder (TMPDIR may be root's own).
    root = Path(tempfile.mkdtemp(prefix="bk-pg-", dir="/tmp" if as_root and os.path.isdir("/tmp") else None))
    if as_root:
        user = "postgres" if _has_user("postgres") else "nobody"
        if shutil.which("runuser") is None:
            shutil.rmtree(root, ignore_errors=True)
            raise Unavailable("running as root without runuser to start PostgreSQL as another user")
        account = pwd.getpwnam(user)
        os.chown(root, account.pw_uid, account.pw_gid)
    os.chmod(root, 0o700)
    server = Server(root, bindir, user)
    atexit.register(server.stop)
    try:
        return server.start()
    except BaseException:
        server.stop()
        raise


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
