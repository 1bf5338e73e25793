"""The Procfile stack end to end: scripts/serve (gunicorn, a Celery worker and beat under honcho, debug off,
Redis broker, embedded PostgreSQL) on a database of its own, then, as a user and an operator would:
/healthz green, the admin's static files under hashed names, one campaign imported, resolved and sent
through the worker to a local fake SendGrid (each message exactly once), beat's periodic task run by
the worker, and everything stopped by one Ctrl-C.

    .venv/bin/python .ci/stack_smoke.py
"""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from campaigns.tests.fake_sendgrid import VALID_KEY, FakeSendGrid  # noqa: E402 - after the path is set

RECIPIENTS = 6
DEADLINE_SECONDS = 100


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Stack:
    def __init__(self, sendgrid_url):
        self.port, self.database = free_port(), f"liffy_stack_smoke_{os.getpid()}"
        # open for the stack's whole life (its processes write to it); removed by main()
        self.log = tempfile.NamedTemporaryFile("w+", prefix="liffy-stack-", suffix=".log", delete=False)  # noqa: SIM115
        env = os.environ | {
            "PORT": str(self.port),
            "EMBEDDED_PG_DB": self.database,
            "SENDGRID_API_URL": sendgrid_url,
            "CELERY_TASK_DEFAULT_QUEUE": f"liffy-stack-smoke-{os.getpid()}",
            "WEB_CONCURRENCY": "2",
            "WORKER_CONCURRENCY": "2",
            "PYTHONUNBUFFERED": "1",
        }
        for name in ("DATABASE_URL", "DATABASE_POOLER", "CELERY_BROKER_URL", "REDIS_URL", "DJANGO_DEBUG"):
            env.pop(name, None)
        self.process = subprocess.Popen(
            [str(ROOT / "scripts" / "serve")],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def output(self):
        return Path(self.log.name).read_text()

    def stop(self):
        """Ctrl-C, as a person at the terminal: honcho stops web, worker and beat."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
                raise AssertionError("the stack did not stop within 30 s of Ctrl-C") from None

    def drop_database(self):
        import psycopg

        from liffy.database import embedded_database

        server = embedded_database(ROOT / ".pgdata", "postgres")
        with psycopg.connect(
            host=server["HOST"], port=server["PORT"], user=server["USER"], dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


def wait_for(what, check, deadline):
    while time.monotonic() < deadline:
        try:
            if result := check():
                return result
        except requests.RequestException:  # not listening yet, or still loading
            pass
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def exercise(stack, sendgrid, deadline):
    health = wait_for("/healthz", lambda: requests.get(f"{stack.url}/healthz", timeout=5), deadline)
    check(
        health.status_code == 200 and health.json()["checks"] == {"database": "ok", "migrations": "ok", "broker": "ok"},
        f"/healthz: {health.status_code} {health.text}",
    )

    login_page = requests.get(f"{stack.url}/admin/login/", timeout=10).text
    stylesheet = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', login_page)
    check(stylesheet, "the admin links no content-hashed stylesheet")
    css = requests.get(stack.url + stylesheet.group(1), timeout=10)
    check(
        css.status_code == 200 and "immutable" in css.headers.get("Cache-Control", ""),
        f"hashed static file: {css.status_code} {css.headers}",
    )

    api = requests.Session()
    token = api.post(
        f"{stack.url}/api/auth/token", json={"email": "owner@acme.test", "password": "liffy-demo"}, timeout=10
    )
    check(token.status_code == 200, f"login: {token.status_code} {token.text}")
    api.headers["Authorization"] = f"Token {token.json()['token']}"

    def call(method, path, expected, **kwargs):
        response = api.request(method, f"{stack.url}/api/{path}", timeout=30, **kwargs)
        check(response.status_code == expected, f"{method} /api/{path}: {response.status_code} {response.text}")
        return response.json()

    call("PATCH", "organizer/settings", 200, json={"sendgrid_api_key": VALID_KEY})
    contacts = "email,first_name,company\n" + "".join(
        f"guest{n}@exhibitor{n}.test,Guest {n},Exhibitor {n}\n" for n in range(RECIPIENTS)
    )
    members = call("POST", "lists/upload-csv", 201, files={"file": ("guests.csv", contacts)}, data={"name": "Smoke"})
    template = call(
        "POST",
        "templates",
        201,
        json={
            "name": "Smoke",
            "subject": "Hello {{first_name}}",
            "body_html": "<p>Dear {{display_name}}, see you at the fair.</p>",
        },
    )
    sender = call("POST", "senders", 201, json={"from_name": "Acme Events", "from_email": "events@acme.test"})
    campaign = call(
        "POST",
        "campaigns",
        201,
        json={"name": "Stack smoke", "template": template["id"], "list": members["id"], "sender": sender["id"]},
    )
    resolved = call("POST", f"campaigns/{campaign['id']}/resolve", 200)
    check(resolved["recipient_count"] == RECIPIENTS, f"resolve: {resolved}")
    call("POST", f"campaigns/{campaign['id']}/start", 202)
    wait_for(
        "the worker to send the campaign",
        lambda: call("GET", f"campaigns/{campaign['id']}", 200)["status"] == "completed",
        deadline,
    )
    check(
        len(sendgrid.accepted) == RECIPIENTS and set(sendgrid.accepted.values()) == {1},
        f"SendGrid accepted {dict(sendgrid.accepted)}",
    )

    # The web processes count the login rate in one shared cache (Redis): the 10/min allowance holds whichever
    # process a request reaches (a per-process cache would give each of the 2 its own 10).
    logins = [
        requests.post(
            f"{stack.url}/api/auth/token", json={"email": "owner@acme.test", "password": "liffy-demo"}, timeout=10
        ).status_code
        for _ in range(12)
    ]
    first_refusal = logins.index(429) if 429 in logins else len(logins)
    check(
        first_refusal <= 10 and set(logins[:first_refusal]) == {200} and set(logins[first_refusal:]) == {429},
        f"login statuses beyond the rate: {logins}",
    )

    wait_for(
        "beat's periodic task to run on the worker",
        lambda: re.search(r"worker\.1 .*Task persons\.tasks\.verify_pending_task\[.*\] succeeded", stack.output()),
        deadline,
    )


def main():
    started = time.monotonic()
    sendgrid = FakeSendGrid()
    stack = Stack(sendgrid.url)
    try:
        exercise(stack, sendgrid, started + DEADLINE_SECONDS)
        stack.stop()
        check(
            stack.process.returncode in (0, 128 + signal.SIGINT),  # Ctrl-C ends bash with 130
            f"scripts/serve exited with {stack.process.returncode}",
        )
        check(len(re.findall(r"system +\| (web|worker|beat)\.1 stopped", stack.output())) == 3, "a process was left")
    except Exception as failure:  # noqa: BLE001 - any failure: show the stack's output, and stop it all the same
        stack.stop()
        print(stack.output()[-6000:], file=sys.stderr)
        print(f"STACK SMOKE FAILED: {failure!r}", file=sys.stderr)
        return 1
    finally:
        sendgrid.close()
        stack.drop_database()
        os.unlink(stack.log.name)
    print(
        f"Stack smoke passed in {time.monotonic() - started:.0f} s: /healthz green, hashed static files, "
        f"{RECIPIENTS} messages sent once each through the worker, the login rate shared by the web processes, "
        "beat's task run."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
