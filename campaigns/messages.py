"""One recipient's message: rendered template + compliance footer + RFC 8058 headers → SendGrid payload."""

import html
from dataclasses import dataclass

from django.conf import settings

from campaigns.placeholders import recipient_values
from campaigns.templates import render_message
from campaigns.unsubscribe import UnsubscribeRequest, unsubscribe_url
from liffy.header_values import header_safe

FOOTER_STYLE = "font-family:Arial,Helvetica,sans-serif;font-size:12px;line-height:1.5;color:#777;margin-top:24px"


@dataclass(frozen=True)
class SendContext:
    """What every message of a campaign shares."""

    organizer_id: str
    organizer_name: str
    physical_address: str
    campaign_id: str
    template: object
    from_email: str
    from_name: str
    reply_to: str | None


@dataclass(frozen=True)
class Recipient:
    id: str
    email: str
    name: str | None
    meta: dict | None


def _html_footer(url, context, has_link):
    lines = []
    if not has_link:
        lines.append(
            f"You receive this email from {html.escape(context.organizer_name)}. "
            f'<a href="{html.escape(url)}">Unsubscribe</a>'
        )
    lines.append("<br>".join(html.escape(line) for line in context.physical_address.strip().splitlines()))
    return f'<div style="{FOOTER_STYLE}">{"<br>".join(lines)}</div>'


def _text_footer(url, context, has_link):
    lines = [] if has_link else [f"You receive this email from {context.organizer_name}. Unsubscribe: {url}"]
    return "\n\n-- \n" + "\n".join([*lines, context.physical_address.strip()])


def _append_to_html(body, footer):
    closing = body.lower().rfind("</body>")
    return body[:closing] + footer + body[closing:] if closing >= 0 else body + footer


def compose(context: SendContext, recipient: Recipient) -> dict:
    """The v3 mail/send payload for one recipient."""
    url = unsubscribe_url(UnsubscribeRequest(context.organizer_id, recipient.email, context.campaign_id, recipient.id))
    values = recipient_values(name=recipient.name, email=recipient.email, meta=recipient.meta, unsubscribe_url=url)
    rendered = render_message(context.template, values)
    body_html = _append_to_html(
        rendered["body_html"], _html_footer(url, context, html.escape(url) in rendered["body_html"])
    )
    content = [{"type": "text/html", "value": body_html}]
    if rendered["body_text"]:
        text = rendered["body_text"] + _text_footer(url, context, url in rendered["body_text"])
        content.insert(0, {"type": "text/plain", "value": text})  # SendGrid wants text/plain first

    mailto = settings.UNSUBSCRIBE_MAILTO or context.reply_to or context.from_email
    to = {"email": recipient.email} | ({"name": header_safe(recipient.name)} if recipient.name else {})
    message = {
        "personalizations": [
            {
                "to": [to],
                "custom_args": {
                    "organizer_id": str(context.organizer_id),
                    "campaign_id": str(context.campaign_id),
                    "recipient_id": str(recipient.id),
                },
            }
        ],
        "from": {"email": context.from_email, "name": header_safe(context.from_name)},
        "subject": rendered["subject"],
        "content": content,
        "headers": {
            "List-Unsubscribe": f"<{url}>, <mailto:{mailto}?subject=unsubscribe>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    }
    if context.reply_to:
        message["reply_to"] = {"email": context.reply_to}
    return message
