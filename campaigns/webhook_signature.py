"""SendGrid's Signed Event Webhook: ECDSA P-256 / SHA-256 over `timestamp + raw body`.

Public keys are base64 DER SubjectPublicKeyInfo, as SendGrid shows them (liffy/webhook_keys.py): one in
settings (SENDGRID_WEBHOOK_PUBLIC_KEY, for a SendGrid account shared by every organizer) and/or one per
organizer, each key held by one organizer only. The key that verifies a request tells whose events it
carries.
"""

import base64
import binascii
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings

from liffy.models import Organizer
from liffy.errors import Forbidden
from liffy.webhook_keys import load_public_key

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"
SHARED = "shared"  # the settings key verified the request


class BadSignature(Forbidden):
    """No configured key verifies the request: nothing of it is stored."""


def _verifies(key_text, signed, signature):
    try:
        load_public_key(key_text).verify(signature, signed, ec.ECDSA(hashes.SHA256()))
        return True
    except (InvalidSignature, ValueError):
        return False


def verify_request(body, signature_b64, timestamp, now=None):
    """Who signed this request: SHARED, or the id of the organizer whose key verifies it.

    Raises BadSignature when the headers are missing, the timestamp is outside the tolerance, or no
    configured key verifies the signature.
    """
    if not signature_b64 or not timestamp:
        raise BadSignature("missing signature headers")
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        age = abs((now or time.time()) - int(timestamp))
    except (binascii.Error, ValueError):
        raise BadSignature("malformed signature headers") from None
    if age > settings.SENDGRID_WEBHOOK_TOLERANCE_SECONDS:
        raise BadSignature("timestamp outside the tolerance")
    signed = timestamp.encode() + body
    if settings.SENDGRID_WEBHOOK_PUBLIC_KEY and _verifies(settings.SENDGRID_WEBHOOK_PUBLIC_KEY, signed, signature):
        return SHARED
    keys = (
        Organizer.objects.exclude(sendgrid_webhook_public_key__isnull=True)
        .exclude(sendgrid_webhook_public_key="")
        .values_list("pk", "sendgrid_webhook_public_key")
    )
    for organizer_id, key_text in keys:
        if _verifies(key_text, signed, signature):
            return organizer_id
    raise BadSignature("no configured key verifies the signature")
