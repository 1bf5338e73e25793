"""Pushing persons to Zoho CRM (Leads or Contacts), logged record by record in `zoho_push_log`.

The access token is refreshed only when the cached one is about to expire (or Zoho refuses it).
Records go out in batches of 100 through Zoho's upsert with the duplicate check on Email, so a
record created in Zoho by hand is updated rather than refused; a person already pushed successfully
to the module is sent with its record id. No database transaction is open during a call.
"""

from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from uuid import UUID

import pycountry
from django.db.models import Count, Max, Q
from django.utils import timezone

from liffy.errors import InvalidInput
from liffy.models import Organizer, User
from persons.models import Affiliation, Person, ZohoPushLog
from persons.selectors import persons_with_latest_affiliation
from persons.zoho import ZohoAuthError, ZohoClient, ZohoError

BATCH_SIZE = 100
LEAD_SOURCE = "Liffy"
TOKEN_MARGIN = timedelta(minutes=1)


def _country_name(code):
    country = pycountry.countries.get(alpha_2=code) if code else None
    return country.name if country else code


def zoho_record(person: Person, affiliation: Affiliation | None, module: str) -> dict[str, Any]:
    """Zoho fields of a person and its latest affiliation; Zoho's required fields always filled."""
    local, _, domain = person.email.partition("@")
    company = affiliation.company_name if affiliation else None
    record = {
        "First_Name": person.first_name,
        "Last_Name": person.last_name or company or local,
        "Email": person.email,
        "Phone": affiliation and affiliation.phone,
        "Website": affiliation and affiliation.website,
        "Country": _country_name(affiliation and affiliation.country_code),
        "City": affiliation and affiliation.city,
        "Lead_Source": LEAD_SOURCE,
    }
    position = affiliation and affiliation.position
    if module == "Leads":
        record |= {"Company": company or domain, "Designation": position}
    else:
        record |= {"Title": position, "Account_Name": company} if company else {"Title": position}
    return {name: value for name, value in record.items() if value}


def _credentials(organizer):
    if not (organizer.zoho_client_id and organizer.zoho_client_secret and organizer.zoho_refresh_token):
        raise InvalidInput({"zoho": "Set the Zoho client id, client secret and refresh token in the settings."})


def access_token(organizer: Organizer, client: ZohoClient, *, force: bool = False) -> str:
    """The cached access token while it lives, else a fresh one (stored encrypted with its expiry)."""
    expires = organizer.zoho_access_token_expires_at
    if not force and organizer.zoho_access_token and expires and expires > timezone.now() + TOKEN_MARGIN:
        return organizer.zoho_access_token
    token, lives = client.refresh_access_token(
        organizer.zoho_client_id, organizer.zoho_client_secret, organizer.zoho_refresh_token
    )
    organizer.zoho_access_token = token
    organizer.zoho_access_token_expires_at = timezone.now() + timedelta(seconds=lives)
    organizer.save(update_fields=["zoho_access_token", "zoho_access_token_expires_at"])
    return token


def _previous_record_ids(organizer, person_ids, module):
    rows = (
        ZohoPushLog.objects.for_organizer(organizer)
        .filter(person_id__in=person_ids, zoho_module=module, status=ZohoPushLog.Status.SUCCESS)
        .exclude(zoho_record_id=None)
        .order_by("person_id", "-pushed_at")
        .distinct("person_id")
        .values_list("person_id", "zoho_record_id")
    )
    return dict(rows)


def _send(client, organizer, module, records):
    """Zoho's answer per record; a refused token is refreshed once; other failures fail the batch."""
    try:
        try:
            return client.upsert(module, records, access_token(organizer, client))
        except ZohoAuthError:
            return client.upsert(module, records, access_token(organizer, client, force=True))
    except ZohoError as exc:
        return [{"status": "error", "message": str(exc)}] * len(records)


def _log(organizer, person, module, record, answer, previous_id, user):
    succeeded = answer.get("status") == "success"
    action = {"insert": "create", "update": "update"}.get(answer.get("action"), "update" if previous_id else "create")
    return ZohoPushLog(
        organizer_id=organizer.pk,
        person_id=person.pk,
        zoho_module=module,
        action=action,
        status=ZohoPushLog.Status.SUCCESS if succeeded else ZohoPushLog.Status.FAILED,
        zoho_record_id=(answer.get("details") or {}).get("id") or (previous_id if succeeded else None),
        error_message=None if succeeded else str(answer.get("message") or answer.get("code") or "failed")[:1000],
        field_snapshot=record,
        pushed_by_user=user,
        pushed_at=timezone.now(),
    )


def push_persons(
    organizer: Organizer, person_ids: Iterable[UUID | str], module: str, user: User | None = None
) -> dict[str, int]:
    """Push the organizer's persons; returns {pushed, created, updated, failed}."""
    _credentials(organizer)
    ids = {str(pk) for pk in person_ids}
    persons = list(persons_with_latest_affiliation(organizer).filter(pk__in=ids).order_by("email"))
    if missing := ids - {str(p.pk) for p in persons}:
        raise InvalidInput({"person_ids": [f"unknown person {pk}" for pk in sorted(missing)]})
    previous = {str(k): v for k, v in _previous_record_ids(organizer, ids, module).items()}
    client = ZohoClient(organizer.zoho_datacenter)
    logs = []
    for start in range(0, len(persons), BATCH_SIZE):
        batch = persons[start : start + BATCH_SIZE]
        records = []
        for person in batch:
            latest = person.latest_affiliation_list[0] if person.latest_affiliation_list else None
            record = zoho_record(person, latest, module)
            if previous.get(str(person.pk)):
                record["id"] = previous[str(person.pk)]
            records.append(record)
        answers = _send(client, organizer, module, records)
        # logged batch by batch: a push cut short still records what Zoho has already received
        logs += ZohoPushLog.objects.bulk_create(
            [
                _log(organizer, person, module, record, answer, previous.get(str(person.pk)), user)
                for person, record, answer in zip(batch, records, answers, strict=False)
            ]
        )
    succeeded = [log for log in logs if log.status == ZohoPushLog.Status.SUCCESS]
    return {
        "pushed": len(logs),
        "created": sum(log.action == "create" for log in succeeded),
        "updated": sum(log.action == "update" for log in succeeded),
        "failed": len(logs) - len(succeeded),
    }


def push_status(organizer: Organizer) -> dict[str, Any]:
    logs = ZohoPushLog.objects.for_organizer(organizer)
    totals = logs.aggregate(
        total=Count("id"),
        succeeded=Count("id", filter=Q(status="success")),
        failed=Count("id", filter=Q(status="failed")),
        last_push_at=Max("pushed_at"),
        persons=Count("person", distinct=True),
    )
    return totals | {
        "configured": bool(organizer.zoho_client_id and organizer.zoho_client_secret and organizer.zoho_refresh_token)
    }
