"""A private, throw-away PostgreSQL cluster for tests: ``initdb`` + ``pg_ctl`` on a free
loopback port, data in a temporary folder, stopped and deleted on exit.

    with PostgresCluster.start() as cluster:
        env = cluster.env()  # FUKAN_PG_* for the ingest and the dbt profile

PostgreSQL refuses to run as root, so when the tests run as root the server runs as the
``postgres`` account that Debian's package creates (through ``runuser``).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SERVER_ACCOUNT = "postgres"
SUPERUSER = "fukan"
DATABASE = "fukan"


class ClusterError(RuntimeError):
    pass


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        on_path = shutil.which("initdb")
        if on_path is None:
            raise ClusterError(
                "PostgreSQL's initdb was not found (/usr/lib/postgresql/*/bin or PATH); "
                "`make install-warehouses` installs Debian's postgresql package"
            )
        return Path(on_path).parent
    return Path(found[-1]).parent  # the newest major version installed


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", SERVER_ACCOUNT, "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str], what: str, log: Path | None = None) -> None:
    done = subprocess.run(_as_server_user(command), capture_output=True, text=True, cwd="/")
    if done.returncode != 0:
        server_log = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
        raise ClusterError(f"{what} failed ({done.returncode}):\n{done.stdout}{done.stderr}{server_log}")


@dataclass(frozen=True)
class PostgresCluster:
    root: Path
    port: int
    bin_dir: Path
    host: str = "127.0.0.1"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def env(self) -> dict[str, str]:
        """The connection as the environment variables the CLI and dbt profile read."""
        return {
            "FUKAN_PG_HOST": self.host,
            "FUKAN_PG_PORT": str(self.port),
            "FUKAN_PG_USER": SUPERUSER,
            "FUKAN_PG_PASSWORD": "",
            "FUKAN_PG_DATABASE": DATABASE,
        }

    @classmethod
    @contextmanager
    def start(cls) -> Iterator[PostgresCluster]:
        """A running cluster with an empty ``fukan`` database; stopped and removed on exit,
        whatever happened inside the block."""
        root = Path(tempfile.mkdtemp(prefix="fukan-pg-"))
        try:
            if os.geteuid() == 0:
                account = pwd.getpwnam(SERVER_ACCOUNT)
                os.chown(root, account.pw_uid, account.pw_gid)
            cluster = cls(root, _free_port(), _bin_dir())
            cluster._init()
            cluster._start_server()
            try:
                cluster.create_database(DATABASE)
                yield cluster
            finally:
                cluster._stop_server()
        finally:
            shutil.rmtree(root, ignore_errors=True)

    def _init(self) -> None:
        _run(
            [
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            "initdb",
        )

    def _start_server(self) -> None:
        # Durability settings off: the cluster lives for one test session. The server's time
        # zone is deliberately not UTC: nothing may depend on a session time zone.
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses={self.host} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c TimeZone=America/Los_Angeles"
        )
        _run(
            [
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ],
            "pg_ctl start",
            self.log,
        )

    def create_database(self, name: str) -> None:
        import psycopg2

        con = psycopg2.connect(host=self.host, port=self.port, user=SUPERUSER, dbname="postgres")
        try:
            con.autocommit = True  # CREATE DATABASE cannot run inside a transaction
            con.cursor().execute(f'CREATE DATABASE "{name}"')
        finally:
            con.close()

    def _stop_server(self) -> None:
        _run(
            [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"],
            "pg_ctl stop",
            self.log,
        )
