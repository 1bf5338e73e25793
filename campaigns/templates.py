"""Email templates: preview, clone, and deletion only while no campaign uses them."""

from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from campaigns.models import Campaign, EmailTemplate
from campaigns.placeholders import recipient_values, render, text_to_html
from liffy.errors import Conflict
from liffy.header_values import header_safe

PREVIEW_SAMPLE = {
    "name": "Jane Doe",
    "email": "jane.doe@example.com",
    "first_name": "Jane",
    "last_name": "Doe",
    "company": "Acme Events GmbH",
    "country": "DE",
    "position": "Head of Marketing",
    "website": "https://acme-events.example",
    "tag": "vip",
}
PREVIEW_UNSUBSCRIBE_URL = "#"


def render_message(template: EmailTemplate, values: dict[str, Any]) -> dict[str, str | None]:
    """Subject, HTML and text of `template` for one recipient's placeholder values."""
    subject_values = {k: v for k, v in values.items() if k not in ("unsubscribe_url", "unsubscribe_link")}
    subject_values |= {"unsubscribe_url": "", "unsubscribe_link": ""}  # no unsubscribe link in a subject
    return {
        # placeholder values come from imports and mining too: a line break there must not reach the header
        "subject": header_safe(render(template.subject, subject_values)),
        "body_html": text_to_html(render(template.body_html, values, html_body=True)),
        "body_text": render(template.body_text, values) if template.body_text else None,
    }


def preview_template(template: EmailTemplate, sample_data: dict[str, str] | None = None) -> dict[str, str | None]:
    """The template rendered for sample data (the built-in sample, or the caller's); unsubscribe shows as #."""
    sample = PREVIEW_SAMPLE | (sample_data or {})
    meta = {key: value for key, value in sample.items() if key not in ("name", "email")}
    values = recipient_values(
        name=sample.get("name"), email=sample.get("email"), meta=meta, unsubscribe_url=PREVIEW_UNSUBSCRIBE_URL
    )
    return render_message(template, values)


def clone_template(template: EmailTemplate, name: str | None = None) -> EmailTemplate:
    return EmailTemplate.objects.create(
        organizer_id=template.organizer_id,
        name=(name or f"Copy of {template.name}")[:255],
        subject=template.subject,
        body_html=template.body_html,
        body_text=template.body_text,
    )


def delete_template(template: EmailTemplate) -> None:
    in_use = Campaign.objects.filter(template=template).count()
    if in_use:
        raise Conflict(f"The template is used by {in_use} campaign(s) and cannot be deleted.")
    try:
        with transaction.atomic():
            template.delete()
    except ProtectedError:  # a campaign took it in the meantime
        raise Conflict("The template is used by a campaign and cannot be deleted.") from None
