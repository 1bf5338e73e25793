"""A seeded, bounded property-based run over the served OpenAPI schema, the way an outsider would test the API.

Schemathesis loads `/api/schema/` from the WSGI application in this process (no network) and runs its phases
(schema examples, coverage of boundaries and invalid values, random fuzzing, stateful sequences through the
links it infers) against every operation, as the owner of a seeded organizer with data, authenticated with a
token from `POST /api/auth/token` (fetched again should a response say it is no longer valid). The run fails on
any 5xx and on any response the schema contradicts: undocumented status code, content type, body or headers,
an undocumented method not refused, an operation served without credentials, a deleted resource still served.
It prints the requests it made, the 5xx and the schema violations it found, and its time.

Checks left out, with the reason:
- `positive_data_acceptance`: a schema-valid request may still break a business rule (wrong password, a
  campaign in another status, a person who does not exist) and is then rightly a 400.
- `negative_data_rejection`: like DRF, the API reads an empty query value as "not given" and takes a JSON
  number for a text field; that is leniency with a clear meaning, not a response that contradicts the schema.
No operation is left out. The webhook's generated requests that carry both signature headers are signed with a
key of Acme's on their way in (`WebhookSigner`), so generated batches reach the ingest; those without stay
unsigned and must be refused. The unsubscribe pages are outside `/api/` and not in the schema. The operations
that call SendGrid, ZeroBounce or Zoho reach local fakes (`responses`); background tasks go to an in-memory
broker and do not run, so a mining job never fetches a generated URL.
"""

import io
import os
import re
import time
from collections import Counter

import factory.random
import pytest
import responses
import schemathesis
import schemathesis.python.wsgi
from schemathesis.engine import events, from_schema
from werkzeug import Client

from campaigns.tests.test_webhook import Signer
from liffy.demo import DEMO_PASSWORD

SEED = int(os.environ.get("SCHEMA_RUN_SEED", "20261130"))  # another seed explores other cases
EXAMPLES_PER_OPERATION = int(os.environ.get("SCHEMA_RUN_EXAMPLES", "5"))
OWNER = "owner@acme.test"
WEBHOOK = "/api/webhooks/sendgrid"
SIGNATURE_HEADERS = ("HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_SIGNATURE", "HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_TIMESTAMP")
SKIPPED_CHECKS = ("positive_data_acceptance", "negative_data_rejection")


class WsgiClient(Client):
    """werkzeug's client minus the socket-level options schemathesis 4.32 passes to it when it probes an
    operation without credentials (`ignored_auth`), which werkzeug refuses."""

    def open(self, *args, **kwargs):
        for option in ("max_redirects", "verify", "cert", "proxies"):
            kwargs.pop(option, None)
        return super().open(*args, **kwargs)


class WebhookSigner(Signer):
    """Signs webhook requests as SendGrid would, with a key registered for Acme, so generated batches reach the
    ingest: a request that carries both signature headers gets a valid signature of its body; one without them
    stays unsigned."""

    def sign(self, environ):
        if environ["PATH_INFO"] != WEBHOOK or not all(name in environ for name in SIGNATURE_HEADERS):
            return
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        environ.update(self.headers(body))


class CountingApp:
    """The WSGI application, counting requests by status. Each response is read whole and closed, as a server
    does; database connections stay open between requests (as with DB_CONN_MAX_AGE) and are closed by `close`."""

    def __init__(self, signer):
        from django.core.wsgi import get_wsgi_application

        self.app, self.signer, self.connections = get_wsgi_application(), signer, set()
        self.statuses, self.webhook_statuses = Counter(), Counter()

    def __call__(self, environ, start_response):
        from django.db import connections

        self.signer.sign(environ)

        def counting_start_response(status, headers, exc_info=None):
            self.statuses[int(status.split()[0])] += 1
            if environ["PATH_INFO"] == WEBHOOK:
                self.webhook_statuses[int(status.split()[0])] += 1
            return start_response(status, headers, exc_info)

        result = self.app(environ, counting_start_response)
        try:
            return [b"".join(result)]
        finally:
            result.close()
            self.connections.add(connections["default"])

    def close(self):
        for connection in self.connections:
            connection.inc_thread_sharing()
            connection.close()


def seed(webhook_public_key):
    """The demo organizers, plus for Acme: provider and webhook keys, mining jobs with results, queue rows, push
    logs."""
    from liffy.demo import seed_demo
    from liffy.models import Organizer
    from mining.tests.factories import MiningJobLogFactory, MiningResultFactory
    from persons.models import Person
    from persons.tests.factories import VerificationQueueFactory, ZohoPushLogFactory

    factory.random.reseed_random(SEED)
    seed_demo()
    acme = Organizer.objects.get(slug="acme-events")
    acme.sendgrid_api_key, acme.zerobounce_api_key = "SG.fake-key", "zb-fake-key"
    acme.zoho_client_id, acme.zoho_client_secret, acme.zoho_refresh_token = "zoho-id", "zoho-secret", "zoho-refresh"
    acme.sendgrid_webhook_public_key = webhook_public_key
    acme.save()
    result = MiningResultFactory(job__organizer=acme, job__status="completed")
    MiningResultFactory.create_batch(2, job=result.job)
    MiningJobLogFactory(job=result.job)
    for person in Person.objects.for_organizer(acme)[:2]:
        VerificationQueueFactory(person=person)
        ZohoPushLogFactory(person=person)


def fake_outside_services(mock):
    """SendGrid, ZeroBounce and Zoho as they answer a valid key."""
    from django.conf import settings

    def zoho_upsert(request):
        import json

        records = json.loads(request.body)["data"]
        return (
            200,
            {},
            json.dumps(
                {
                    "data": [
                        {"code": "SUCCESS", "status": "success", "action": "insert", "details": {"id": f"z{n}"}}
                        for n, _ in enumerate(records)
                    ]
                }
            ),
        )

    mock.get(f"{settings.SENDGRID_API_URL}/v3/scopes", json={"scopes": ["mail.send"]})
    mock.post(f"{settings.SENDGRID_API_URL}/v3/mail/send", status=202, headers={"X-Message-Id": "fake"})
    mock.get(f"{settings.ZEROBOUNCE_API_URL}/v2/validate", json={"status": "valid", "sub_status": ""})
    mock.get(f"{settings.ZEROBOUNCE_API_URL}/v2/getcredits", json={"Credits": "1000"})
    mock.post(
        re.compile(r"https://accounts\.zoho[\w.]*/oauth/v2/token"),
        json={"access_token": "zoho-token", "expires_in": 3600},
    )
    mock.add_callback(
        responses.POST, re.compile(r"https://www\.zohoapis\.[\w.]+/crm/v2/\w+/upsert"), callback=zoho_upsert
    )


@pytest.fixture
def tasks_not_run():
    """Tasks queued by requests go to an in-memory broker and never run (no generated URL is ever fetched)."""
    from liffy.celery import app

    saved = {name: app.conf[name] for name in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url="memory://", task_always_eager=False)
    app._after_fork()
    yield
    app.conf.update(saved)
    app._after_fork()


@pytest.fixture
def outside_services(settings):
    for service in ("SENDGRID", "ZEROBOUNCE", "ZOHO"):
        setattr(settings, f"{service}_BACKOFF_SECONDS", 0)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake_outside_services(mock)
        yield mock


def token_auth(schema, app):
    """Authenticates every case with a token from POST /api/auth/token; a 401 fetches a new one."""

    @schema.auth(refresh_interval=3600)
    class TokenAuth:
        def get(self, case, context):
            from axes.utils import reset
            from django.core.cache import cache

            # the run's own tries at the login endpoint must neither throttle nor lock out the run's login
            cache.clear()
            reset()
            response = Client(app).post("/api/auth/token", json={"email": OWNER, "password": DEMO_PASSWORD})
            assert response.status_code == 200, response.get_data(as_text=True)
            return response.json["token"]

        def set(self, case, token, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Token {token}"}


def describe(failure):
    return f"{failure.title}: {failure.message.splitlines()[0] if failure.message else ''}"[:300]


@pytest.mark.slow
def test_the_api_holds_its_schema_under_a_property_based_run(
    transactional_db, tasks_not_run, outside_services, monkeypatch, capsys
):
    from django.db import connections

    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", None)
    signer = WebhookSigner()
    seed(signer.public)
    monkeypatch.setattr(schemathesis.python.wsgi, "get_client", WsgiClient)
    app = CountingApp(signer)
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": EXAMPLES_PER_OPERATION, "deterministic": True},
            "checks": {name: {"enabled": False} for name in SKIPPED_CHECKS},
            "cache": {"enabled": False},
            "workers": 1,
        }
    )
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app, config=config)
    token_auth(schema, app)

    started, violations, errors, operations = time.monotonic(), {}, [], set()
    try:
        for event in from_schema(schema).execute():
            if isinstance(event, events.ScenarioFinished):
                for checks in event.recorder.checks.values():
                    for check in checks:
                        if check.failure_info is not None:
                            failure = check.failure_info.failure
                            key = (failure.operation, check.name, describe(failure))
                            violations.setdefault(key, check.failure_info.code_sample)
                operations.add(event.label)
            elif isinstance(event, (events.NonFatalError, events.FatalError)):
                errors.append(f"{getattr(event, 'label', '')}: {getattr(event, 'info', event)}")
    finally:
        app.close()
    elapsed = time.monotonic() - started

    requests, server_errors = sum(app.statuses.values()), sum(n for s, n in app.statuses.items() if s >= 500)
    with capsys.disabled():
        print(
            f"\nOpenAPI property-based run: {requests} requests over {len(operations - {None})} operations, "
            f"{server_errors} 5xx, {len(violations)} schema violations, {elapsed:.1f} s "
            f"(statuses {dict(sorted(app.statuses.items()))}; webhook {dict(sorted(app.webhook_statuses.items()))})"
        )
    details = "\n".join(
        f"{operation} [{check}] {text}\n    {(sample or '')[:500]}"
        for (operation, check, text), sample in sorted(violations.items(), key=str)
    )
    assert not errors, "\n".join(errors)
    assert server_errors == 0 and not violations, details
    assert requests > 1000
    assert app.webhook_statuses[200] and app.webhook_statuses[403], app.webhook_statuses  # ingested and refused
