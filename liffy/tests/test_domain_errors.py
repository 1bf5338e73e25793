"""One shape for errors: services raise the kinds of `liffy.errors`; the API answers each with its status and
body, the admin shows the same words; only the constraints a service expects become a 409, any other
database constraint violation is a logged 500."""

import logging
import re
from datetime import timedelta

import pytest
import responses
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIRequestFactory

from campaigns import lifecycle
from campaigns.tests.factories import CampaignFactory, EmailTemplateFactory, SenderIdentityFactory
from legacy.tests.factories import ListFactory
from liffy import errors
from liffy.auth import issue_token
from liffy.exceptions import DOMAIN_RESPONSES, exception_handler
from liffy.services import update_organizer_settings
from liffy.tests.factories import PASSWORD
from mining.imports import start_import_all
from mining.tests.factories import MiningJobFactory
from persons import services as persons
from persons import verification
from persons.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


# --- each kind, raised by a service ---------------------------------------------------------------------


def test_invalid_input_names_each_field_with_its_reasons(organizer):
    campaign = CampaignFactory(organizer=organizer, status="ready")
    with pytest.raises(errors.InvalidInput) as refused:
        lifecycle.schedule_campaign(campaign, timezone.now() - timedelta(minutes=1))
    assert refused.value.errors == {"scheduled_at": ["must be in the future"]}
    assert refused.value.message == "scheduled_at: must be in the future"


def test_invalid_input_from_a_django_validator_keeps_its_reasons():
    with pytest.raises(errors.InvalidInput) as refused:
        persons.normalize_email("not an address")
    assert refused.value.errors == {errors.WHOLE_INPUT: ["Enter a valid email address."]}
    assert refused.value.message == "Enter a valid email address."


def test_not_found_does_not_tell_a_foreign_id_from_an_unknown_one(organizer, other_organizer, member):
    job = MiningJobFactory(organizer=organizer)
    foreign = ListFactory(organizer=other_organizer)
    for list_id in (foreign.pk, "3f2b8a4e-0000-4000-8000-000000000000", "not-an-id"):
        with pytest.raises(errors.NotFound) as refused:
            start_import_all(job, user=member, list_id=list_id)
        assert refused.value.message == "No such list."


def test_conflict_names_the_current_status(organizer):
    draft = CampaignFactory(organizer=organizer)
    with pytest.raises(errors.Conflict) as refused:
        lifecycle.pause_campaign(draft)
    assert (refused.value.message, refused.value.code) == ("A draft campaign cannot be paused.", "draft")


def test_conflict_with_an_existing_row_comes_from_the_constraint_the_service_expects(organizer):
    PersonFactory(organizer=organizer, email="ann@client.test")
    with pytest.raises(errors.Conflict, match=re.escape("A person with email ann@client.test already exists.")):
        persons.create_person(organizer, email=" Ann@Client.test ")


def test_forbidden_for_a_role_that_may_not(organizer, org_admin):
    with pytest.raises(errors.Forbidden, match=re.escape("Only the owner may change sendgrid_api_key.")):
        update_organizer_settings(organizer, org_admin, {"sendgrid_api_key": "SG.new"})


@responses.activate
def test_an_outside_service_that_fails_is_an_outside_service_error(organizer, settings):
    settings.ZEROBOUNCE_MAX_RETRIES = 0
    organizer.zerobounce_api_key = "zb-key"
    organizer.save()
    responses.get(settings.ZEROBOUNCE_API_URL + "/v2/validate", status=503)
    with pytest.raises(errors.OutsideServiceError, match=re.escape("ZeroBounce answered 503.")):
        verification.verify_single(organizer, "ann@client.test")


def test_too_many_attempts_says_how_long_to_wait(member, settings):
    def log_in(password):
        return issue_token(RequestFactory().post("/api/auth/token", REMOTE_ADDR="198.51.100.7"), member.email, password)

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        with pytest.raises(errors.InvalidInput, match="Unable to log in"):
            log_in("wrong")
    with pytest.raises(errors.TooManyAttempts):  # the failure that reaches the limit
        log_in("wrong")
    with pytest.raises(errors.TooManyAttempts) as refused:  # and the right password no longer helps
        log_in(PASSWORD)
    assert (refused.value.message, refused.value.wait) == ("Too many failed logins from your address.", 15 * 60)


# --- the API's answer to each kind ----------------------------------------------------------------------


def answer(error):
    request = APIRequestFactory().get("/api/anything")
    return exception_handler(error, {"request": request, "view": None})


@pytest.mark.parametrize(
    "error, status, body",
    [
        (
            errors.InvalidInput({"scheduled_at": "must be in the future", "list": ["a", "b"]}),
            400,
            {"scheduled_at": ["must be in the future"], "list": ["a", "b"]},
        ),
        (errors.InvalidInput("The file is empty."), 400, {"detail": ["The file is empty."]}),
        (errors.NotFound("No such list."), 404, {"detail": "No such list."}),
        (
            errors.Conflict("A draft campaign cannot be paused.", code="draft"),
            409,
            {"detail": "A draft campaign cannot be paused."},
        ),
        (
            errors.Forbidden("Only the owner may change sendgrid_api_key."),
            403,
            {"detail": "Only the owner may change sendgrid_api_key."},
        ),
        (
            errors.TooManyAttempts("Too many failed logins.", wait=60),
            429,
            {"detail": "Too many failed logins. Expected available in 60 seconds."},
        ),
        (errors.OutsideServiceError("ZeroBounce answered 503."), 503, {"detail": "ZeroBounce answered 503."}),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, errors.DomainError) else None,
)
def test_each_kind_has_its_status_and_body(error, status, body):
    response = answer(error)
    assert (response.status_code, response.data) == (status, body)


def test_every_kind_is_mapped():
    kinds = {
        kind
        for kind in vars(errors).values()
        if isinstance(kind, type) and issubclass(kind, errors.DomainError) and kind is not errors.DomainError
    }
    assert kinds == set(DOMAIN_RESPONSES)


# --- database constraints: the expected ones are refusals, any other is a bug ----------------------------


def test_each_expected_unique_violation_is_a_409_with_a_clear_message(member_client, organizer):
    person = PersonFactory(organizer=organizer, email="ann@client.test")
    assert member_client.post("/api/persons", {"email": "ANN@client.test"}).json() == {
        "detail": "A person with email ann@client.test already exists."
    }

    url = f"/api/persons/{person.pk}/affiliations"
    assert member_client.post(url, {"company_name": "Acme"}).status_code == 201
    duplicate = member_client.post(url, {"company_name": "ACME"})
    assert (duplicate.status_code, duplicate.json()) == (
        409,
        {"detail": "ann@client.test already has an affiliation with ACME."},
    )

    intent = {"person": str(person.pk), "intent_type": "reply"}
    assert member_client.post("/api/intents", intent).status_code == 201
    duplicate = member_client.post("/api/intents", intent)
    assert (duplicate.status_code, duplicate.json()) == (
        409,
        {"detail": "This person already has this intent for this campaign."},
    )


def test_an_unexpected_constraint_violation_is_a_logged_500_not_a_409(member_client, organizer, caplog):
    """A constraint no service expects (here one added for the test) is a bug: it is not worded as a
    conflict, the client gets a plain 500 and the log has the violation with its traceback."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE persons ADD CONSTRAINT persons_test_no_bob CHECK (first_name <> 'Bob')")
    member_client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = member_client.post("/api/persons", {"email": "bob@client.test", "first_name": "Bob"})
    assert (response.status_code, response.json()) == (500, {"detail": "Internal Server Error."})
    logged = [record for record in caplog.records if record.name == "django.request" and record.exc_info]
    assert logged and "persons_test_no_bob" in str(logged[0].exc_info[1])


# --- the admin words a refusal as the API does -----------------------------------------------------------


def admin_messages(response):
    return [str(message) for message in response.context["messages"]]


def test_the_admin_shows_a_refusal_in_the_words_of_the_api(platform_admin, organizer, member_client):
    draft = CampaignFactory(
        organizer=organizer,
        template=EmailTemplateFactory(organizer=organizer),
        sender=SenderIdentityFactory(organizer=organizer),
    )
    api = member_client.post(f"/api/campaigns/{draft.pk}/pause")
    button = reverse("admin:campaigns_campaign_service_action", args=[draft.pk, "pause"])
    admin = platform_admin.post(button, {"confirmed": "yes"}, follow=True)
    assert api.status_code == 409 and admin_messages(admin) == [f"{draft.name}: {api.json()['detail']}"]

    ready = CampaignFactory(organizer=organizer, status="ready", sender=SenderIdentityFactory(organizer=organizer))
    api = member_client.post(f"/api/campaigns/{ready.pk}/start")  # the organizer has no address nor SendGrid key
    button = reverse("admin:campaigns_campaign_service_action", args=[ready.pk, "start"])
    admin = platform_admin.post(button, {"confirmed": "yes"}, follow=True)
    fields = "; ".join(f"{field}: {'; '.join(reasons)}" for field, reasons in api.json().items())
    assert api.status_code == 400 and admin_messages(admin) == [f"{ready.name}: {fields}"]
