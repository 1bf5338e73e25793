"""Capacity of each process type of the Procfile, measured as deployed: gunicorn with gunicorn.conf.py, Celery
workers on a real Redis taking one workload each (WORKER_QUEUES), on the benchmark database.

    .venv/bin/python bench/capacity.py [--seconds 10] [--messages 3000] [--rows 20000]

- web: requests/s and latency of GET /healthz and of a typical API list (GET /api/persons, a page of 50
  of 5,000 persons, token auth), with `wrk` (apt-get install wrk) keeping 16 connections busy;
- worker, sending queue: messages/s handed to a local fake SendGrid answering in 20 ms, the
  organizer's rate limit lifted, so the figure is the worker's, not the configured pace;
- worker, imports queue: rows/s of a CSV import queued by the upload API, from queueing to completion.
The load generator runs on the same machine as the processes it measures (2 cores here): read the
web figures as a floor. Beat only schedules (one per deployment) and is not measured.
"""

import argparse
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from _setup import ROOT, setup_django, truncate

BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")
PREFIX = f"liffy-capacity-{os.getpid()}"
PERSONS = 5_000
BIN = Path(sys.executable).parent  # the virtualenv's gunicorn and celery


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def process_environment(**extra):
    """What the web and worker processes run with: production settings, plain http on localhost."""
    return (
        os.environ
        | {
            "DJANGO_DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SESSION_COOKIE_SECURE": "false",
            "DJANGO_CSRF_COOKIE_SECURE": "false",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "CELERY_BROKER_URL": BROKER,
            "CELERY_TASK_DEFAULT_QUEUE": PREFIX,
        }
        | {key: str(value) for key, value in extra.items()}
    )


def wait_until(what, condition, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    sys.exit(f"timed out waiting for {what}")


def wrk(url, seconds, token=None):
    """(requests/s, p50 ms, p99 ms) of `url` under 16 connections."""
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "10s", "--latency", url]
    if token:
        command[1:1] = ["-H", f"Authorization: Token {token}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        sys.exit(f"{url} answered errors under load:\n{output}")

    def latency(percentile):
        found = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        if not found:
            sys.exit(f"no {percentile}% latency in wrk's output:\n{output}")
        return float(found.group(1)) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[found.group(2)]

    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), latency(50), latency(99)


def measure_web(seconds, email, password):
    import requests

    port = free_port()
    web = subprocess.Popen(
        [BIN / "gunicorn", "liffy.wsgi"], cwd=ROOT, env=process_environment(WEB_BIND=f"127.0.0.1:{port}")
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def answers():
            try:
                return requests.get(f"{base}/healthz", timeout=5).status_code == 200
            except requests.RequestException:
                return False

        wait_until("gunicorn", answers)
        token = requests.post(f"{base}/api/auth/token", json={"email": email, "password": password}, timeout=30).json()[
            "token"
        ]
        listed = requests.get(f"{base}/api/persons", headers={"Authorization": f"Token {token}"}, timeout=30)
        assert listed.status_code == 200 and listed.json()["count"] == PERSONS, (listed.status_code, listed.text[:500])
        return {
            "GET /healthz": wrk(f"{base}/healthz", seconds),
            "GET /api/persons (page of 50)": wrk(f"{base}/api/persons", seconds, token),
        }
    finally:
        web.terminate()
        web.wait()


def start_worker(workload, **extra):
    """A worker process taking `workload` only; returns it once it is consuming."""
    log = Path(f"/tmp/{PREFIX}-{workload}.log")
    worker = subprocess.Popen(
        [BIN / "celery", "-A", "liffy", "worker", "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env=process_environment(WORKER_QUEUES=workload, LOG_LEVEL="INFO", **extra),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    wait_until(f"the {workload} worker", lambda: " ready." in log.read_text())
    return worker


def stop(worker):
    worker.terminate()
    worker.wait()


def measure_sending(organizer, messages):
    from django.db import connection

    from campaigns.models import Campaign, EmailTemplate, SenderIdentity
    from campaigns.tasks import send_campaign_task
    from campaigns.tests.fake_sendgrid import FakeSendGrid

    sendgrid = FakeSendGrid(latency_seconds=0.02)
    template = EmailTemplate.objects.create(
        organizer=organizer,
        name="Invitation",
        subject="{{display_name}}, hi",
        body_html='<p>Dear {{first_name|"colleague"}}, see you.</p>',
    )
    sender = SenderIdentity.objects.create(organizer=organizer, from_name="Fair", from_email="fair@o.test")
    campaign = Campaign.objects.create(
        organizer=organizer,
        name="Capacity",
        template=template,
        sender=sender,
        status="sending",
        recipient_count=messages,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO campaign_recipients (id, organizer_id, campaign_id, email, name, meta, status, created_at,"
            " open_count, click_count) SELECT gen_random_uuid(), %s, %s, 'guest' || n || '@exhibitor.test',"
            " 'Anna Müller', '{\"first_name\": \"Anna\"}', 'pending', now(), 0, 0 FROM generate_series(1, %s) n",
            [organizer.pk, campaign.pk, messages],
        )
    worker = start_worker("sending", SENDGRID_API_URL=sendgrid.url)
    try:
        started = time.perf_counter()
        for _ in range(os.cpu_count() or 1):  # one task per pool process: they share the campaign's batches
            send_campaign_task.delay(str(campaign.pk))
        wait_until("the campaign", lambda: Campaign.objects.get(pk=campaign.pk).status == "completed", timeout=600)
        seconds = time.perf_counter() - started
    finally:
        stop(worker)
        sendgrid.close()
    assert len(sendgrid.accepted) == messages and set(sendgrid.accepted.values()) == {1}
    return messages / seconds


def measure_imports(organizer, user, rows):
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from legacy.csv_import import start_csv_import
    from legacy.models import List

    settings.CSV_INLINE_ROWS = 1  # queued, as the API does with large files
    settings.CSV_UPLOAD_MAX_BYTES = 100 * 1024 * 1024
    data = "Email;Full Name;Company;Job Title;Country\n" + "".join(
        f"contact{n}@exhibitor{n % 5000}.test;Anna Müller;Exhibitor {n % 5000} GmbH;Sales Manager;Germany\n"
        for n in range(rows)
    )
    worker = start_worker("imports")
    try:
        started = time.perf_counter()
        with transaction.atomic():
            target, _, inline = start_csv_import(organizer, user, SimpleUploadedFile("big.csv", data.encode()))
        assert not inline
        wait_until("the import", lambda: List.objects.get(pk=target.pk).import_status == "completed", timeout=900)
        seconds = time.perf_counter() - started
    finally:
        stop(worker)
    return rows / seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--messages", type=int, default=3_000)
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed for the web figures: apt-get install wrk")
    # This process queues tasks too, and encrypts the provider keys the web and worker processes read.
    os.environ |= {
        "CELERY_BROKER_URL": BROKER,
        "CELERY_TASK_DEFAULT_QUEUE": PREFIX,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    }
    setup_django()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile

    from campaigns.tests.fake_sendgrid import VALID_KEY
    from legacy.csv_import import start_csv_import
    from liffy.models import Organizer, User

    truncate("organizers")
    organizer = Organizer.objects.create(
        name="Bench capacity",
        physical_address="Messe Allee 1, 04356 Leipzig",
        sendgrid_api_key=VALID_KEY,
        send_rate_per_second=1_000_000,
        send_batch_size=100,
    )
    password = secrets.token_urlsafe(12)
    user = User.objects.create_user("capacity@bench.test", password, organizer=organizer, role="owner")
    settings.CSV_INLINE_ROWS = PERSONS + 1
    persons = "email;name;company\n" + "".join(
        f"p{n}@firm{n % 700}.test;Pat Doe;Firm {n % 700}\n" for n in range(PERSONS)
    )
    start_csv_import(organizer, user, SimpleUploadedFile("persons.csv", persons.encode()))

    figures = {
        f"web: {path}": f"{rate:,.0f} requests/s (p50 {p50:.1f} ms, p99 {p99:.1f} ms)"
        for path, (rate, p50, p99) in measure_web(args.seconds, user.email, password).items()
    }
    figures[f"worker, sending queue ({args.messages:,} messages)"] = (
        f"{measure_sending(organizer, args.messages):,.0f} messages/s"
    )
    figures[f"worker, imports queue (CSV of {args.rows:,} rows)"] = (
        f"{measure_imports(organizer, user, args.rows):,.0f} rows/s"
    )
    truncate("organizers")
    print(
        f"\nCapacity per process type (gunicorn {os.environ.get('WEB_CONCURRENCY', '2')} processes x "
        f"{os.environ.get('WEB_THREADS', '4')} threads; worker prefork x {os.cpu_count()}; {os.cpu_count()} cores)"
    )
    for label, figure in figures.items():
        print(f"{label:<48} {figure}")


if __name__ == "__main__":
    main()
