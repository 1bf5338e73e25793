"""Unsubscribe links: a signed token per recipient, and recording the unsubscribe it asks for.

The token carries organizer, email, campaign and recipient and its issue time (Django's signing:
HMAC-SHA256, constant-time comparison). It is checked against UNSUBSCRIBE_SECRET and expires after
UNSUBSCRIBE_TOKEN_DAYS. Recording is idempotent: a replayed link stores nothing new.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction

from campaigns.models import EventType, UnsubscribeSource
from liffy import sql
from liffy.errors import InvalidInput

SALT = "liffy.campaigns.unsubscribe"


class InvalidLink(InvalidInput):
    """The link is not one we signed, or it has expired."""


@dataclass(frozen=True)
class UnsubscribeRequest:
    organizer_id: str
    email: str
    campaign_id: str
    recipient_id: str


def make_token(request: UnsubscribeRequest) -> str:
    payload = {
        "o": str(request.organizer_id),
        "e": request.email,
        "c": str(request.campaign_id),
        "r": str(request.recipient_id),
    }
    return signing.dumps(payload, key=settings.UNSUBSCRIBE_SECRET, salt=SALT, compress=True)


def read_token(token: str) -> UnsubscribeRequest:
    try:
        payload = signing.loads(
            token, key=settings.UNSUBSCRIBE_SECRET, salt=SALT, max_age=timedelta(days=settings.UNSUBSCRIBE_TOKEN_DAYS)
        )
    except signing.SignatureExpired as exc:
        raise InvalidLink("This unsubscribe link has expired.") from exc
    except signing.BadSignature as exc:
        raise InvalidLink("This unsubscribe link is not valid.") from exc
    return UnsubscribeRequest(payload["o"], payload["e"], payload["c"], payload["r"])


def unsubscribe_url(request: UnsubscribeRequest) -> str:
    return f"{settings.PUBLIC_BASE_URL}/unsubscribe/{make_token(request)}"


@transaction.atomic
def record_unsubscribe(request: UnsubscribeRequest, source: str = UnsubscribeSource.USER_REQUEST) -> bool:
    """Suppress the address for the organizer and log one `unsubscribe` event for the recipient.

    Returns True when the address was newly suppressed.
    """
    with sql.cursor() as cursor:
        cursor.execute(
            "INSERT INTO unsubscribes (id, organizer_id, email, reason, source, created_at)"
            " VALUES (gen_random_uuid(), %s, lower(%s), %s, %s, now())"
            " ON CONFLICT (organizer_id, lower(email)) DO NOTHING",
            [request.organizer_id, request.email.strip(), "unsubscribe link", source],
        )
        created = cursor.rowcount == 1
        # Only when the campaign and recipient still exist and belong to the token's organizer.
        cursor.execute(
            "INSERT INTO campaign_events (id, organizer_id, campaign_id, recipient_id, person_id, event_type,"
            " email, provider_event_id, occurred_at, created_at)"
            " SELECT gen_random_uuid(), r.organizer_id, r.campaign_id, r.id, r.person_id, %s, r.email,"
            " 'unsubscribe:' || r.id, now(), now()"
            " FROM campaign_recipients r WHERE r.id = %s AND r.campaign_id = %s AND r.organizer_id = %s"
            " ON CONFLICT DO NOTHING",
            [EventType.UNSUBSCRIBE, request.recipient_id, request.campaign_id, request.organizer_id],
        )
    return created
