"""SendGrid's Signed Event Webhook: ECDSA P-256 / SHA-256 over `timestamp + raw body`.

Public keys are base64 DER SubjectPublicKeyInfo, as SendGrid shows them: one in settings
(SENDGRID_WEBHOOK_PUBLIC_KEY, for a SendGrid account shared by every organizer) and/or one per
organizer. The key that verifies a request tells whose events it carries.
"""
import base64
import binascii
import functools
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key
from django.conf import settings
from django.core.exceptions import ValidationError

from liffy.models import Organizer
from liffy.services import register_credential_validator

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"
SHARED = "shared"  # the settings key verified the request


class BadSignature(Exception):
    pass


@functools.lru_cache(maxsize=256)
def load_public_key(text):
    """The P-256 public key of base64 DER text, or ValueError."""
    try:
        key = load_der_public_key(base64.b64decode(text.strip(), validate=True))
    except (binascii.Error, ValueError, TypeError) as exc:
        raise ValueError("not a base64 DER public key") from exc
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise ValueError("not an ECDSA P-256 public key")
    return key


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
        raise BadSignature("malformed signature headers")
    if age > settings.SENDGRID_WEBHOOK_TOLERANCE_SECONDS:
        raise BadSignature("timestamp outside the tolerance")
    signed = timestamp.encode() + body
    if settings.SENDGRID_WEBHOOK_PUBLIC_KEY and _verifies(settings.SENDGRID_WEBHOOK_PUBLIC_KEY, signed, signature):
        return SHARED
    keys = Organizer.objects.exclude(sendgrid_webhook_public_key__isnull=True).exclude(
        sendgrid_webhook_public_key="").values_list("pk", "sendgrid_webhook_public_key")
    for organizer_id, key_text in keys:
        if _verifies(key_text, signed, signature):
            return organizer_id
    raise BadSignature("no configured key verifies the signature")


@register_credential_validator("sendgrid_webhook")
def validate_webhook_public_key(values, organizer):
    key = values.get("sendgrid_webhook_public_key")
    if key:
        try:
            load_public_key(key)
        except ValueError as exc:
            raise ValidationError({"sendgrid_webhook_public_key": f"Paste the key SendGrid shows: {exc}."})
