"""A local Superset showing the fukan dashboard on the published copy.

Superset lives in its own virtualenv (bi/superset/.venv, from requirements.txt): it pins
SQLAlchemy 1.4 and pandas 2.1, the project 2.x and 3.x. Its metadata (the admin user,
the imported dashboard) lives in SUPERSET_HOME, by default bi/superset/.home.

    python bi/superset/instance.py prepare [PUBLISHED_DUCKDB_FILE] [--home DIR]
    python bi/superset/instance.py serve [--home DIR] [--port 8088]
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
from pathlib import Path

from bundle import DASHBOARD_SLUG, build_bundle  # beside this script, which Python puts first on sys.path

from orchestration import config
from orchestration.publish.layout import DATABASE

HERE = Path(__file__).resolve().parent
SUPERSET = HERE / ".venv" / "bin" / "superset"
DEFAULT_HOME = HERE / ".home"
ADMIN = "admin"


def environment(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SUPERSET_HOME": str(home),
        "SUPERSET_CONFIG_PATH": str(HERE / "superset_config.py"),
        "FLASK_APP": "superset",
    }


def admin_password(home: Path) -> str:
    """The local admin's password, made once per SUPERSET_HOME and kept there."""
    path = home / "admin_password"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(12), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _superset(home: Path, *args: str) -> None:
    done = subprocess.run([str(SUPERSET), *args], env=environment(home), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"superset {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def prepare(published_database: Path, home: Path) -> None:
    """Create or upgrade the metadata, the admin user and roles, and (re)import the dashboard."""
    if not published_database.exists():
        raise SystemExit(f"{published_database} does not exist: run `make run` first (it publishes the marts).")
    _superset(home, "db", "upgrade")
    _superset(
        home,
        "fab",
        "create-admin",
        "--username",
        ADMIN,
        "--firstname",
        "fukan",
        "--lastname",
        "admin",
        "--email",
        "admin@localhost",
        "--password",
        admin_password(home),
    )
    _superset(home, "init")
    bundle = home / "fukan_dashboard.zip"
    bundle.write_bytes(build_bundle(published_database))
    _superset(home, "import-dashboards", "--path", str(bundle), "--username", ADMIN)


def dashboard_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/superset/dashboard/{DASHBOARD_SLUG}/"


def serve_command(home: Path, port: int) -> tuple[list[str], dict[str, str]]:
    """Superset's web server on the loopback interface only."""
    return [str(SUPERSET), "run", "--host", "127.0.0.1", "--port", str(port), "--with-threads"], environment(home)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    prepare_args = commands.add_parser("prepare", help="set up the metadata and import the dashboard")
    prepare_args.add_argument(
        "published_database",
        type=Path,
        nargs="?",
        default=config.published_dir() / DATABASE,
        help="the published DuckDB file (default: beside FUKAN_WAREHOUSE, %(default)s)",
    )
    serve_args = commands.add_parser("serve", help="start Superset's web server (Ctrl-C stops it)")
    serve_args.add_argument("--port", type=int, default=8088)
    for sub in (prepare_args, serve_args):
        sub.add_argument("--home", type=Path, default=DEFAULT_HOME, help="SUPERSET_HOME (default %(default)s)")
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.published_database, args.home)
        print(
            f"Dashboard imported into {args.home}. Start Superset with `make dashboard-dev`, then open "
            f"{dashboard_url(8088)} (user {ADMIN}, password in {args.home / 'admin_password'})."
        )
    else:
        command, env = serve_command(args.home, args.port)
        print(
            f"Superset on {dashboard_url(args.port)} (user {ADMIN}, password in {args.home / 'admin_password'})",
            flush=True,
        )
        os.execve(command[0], command, env)


if __name__ == "__main__":
    main()
