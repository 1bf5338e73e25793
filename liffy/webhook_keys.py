"""Public keys of SendGrid's Signed Event Webhook: parsing, one spelling per key, and its fingerprint.

A key is base64 DER SubjectPublicKeyInfo (ECDSA P-256) as SendGrid shows it; line breaks and PEM
armour around it are accepted. Two spellings of one key (wrapped lines, PEM, a compressed point) are
one key: the organizer's key is stored in its canonical spelling, and the SHA-256 of its canonical DER
is unique among organizers (`organizers.sendgrid_webhook_key_fingerprint`), because the key that
verifies a webhook request decides whose events it carries.
"""

import base64
import binascii
import functools
import hashlib

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_der_public_key
from django.conf import settings
from django.core.exceptions import ValidationError

KEY_TAKEN = (
    "Another organizer has registered this key. Each organizer needs a Signed Event Webhook key of its "
    "own (its own SendGrid account or subuser), so that its events reach it."
)
SHARED_KEY = (
    "This is the deployment's shared key (SENDGRID_WEBHOOK_PUBLIC_KEY), whose events are matched for every "
    "organizer already: leave this field empty, or register a key of your own."
)


@functools.lru_cache(maxsize=256)
def load_public_key(text):
    """The P-256 public key spelled by `text`, or ValueError."""
    body = "".join(line for line in text.strip().splitlines() if not line.strip().startswith("-----"))
    try:
        key = load_der_public_key(base64.b64decode("".join(body.split()), validate=True))
    except (binascii.Error, ValueError, TypeError) as exc:
        raise ValueError("not a base64 DER public key") from exc
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise ValueError("not an ECDSA P-256 public key")
    return key


def _canonical_der(text):
    """The DER SubjectPublicKeyInfo of the key `text` spells (uncompressed point), or None."""
    try:
        return load_public_key(text).public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    except ValueError:
        return None


def canonical_spelling(text):
    """The base64 DER of the key `text` spells, as SendGrid shows it; `text` itself when it spells none."""
    der = _canonical_der(text)
    return base64.b64encode(der).decode() if der else text


def fingerprint(text):
    """SHA-256 (hex) of the key's canonical DER; None for an empty or unreadable key."""
    der = _canonical_der(text) if text else None
    return hashlib.sha256(der).hexdigest() if der else None


def validate_webhook_public_key(text):
    """A readable P-256 key that is not the deployment's shared key (the field validator of the model)."""
    if not text:
        return
    try:
        load_public_key(text)
    except ValueError as exc:
        raise ValidationError(f"Paste the key SendGrid shows: {exc}.", code="invalid") from exc
    if fingerprint(text) == fingerprint(settings.SENDGRID_WEBHOOK_PUBLIC_KEY):
        raise ValidationError(SHARED_KEY, code="shared_key")
