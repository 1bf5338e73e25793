"""Values that end up in a mail header never carry control characters.

A CR or LF in a subject, a sender's name or address, a reply-to or a recipient's name would start a
header of the writer's choosing (header injection); other C0/C1 controls and the Unicode line
separators have no place there either. `refuse_control_characters` is the one validator on every such
model field (so the API serializers and the admin forms refuse them with the field named);
`header_safe` neutralises values that arrive through imports and mining, at render time.
"""

import re

from django.core.exceptions import ValidationError

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def refuse_control_characters(value):
    found = CONTROL_CHARACTERS.search(value or "")
    if found:
        raise ValidationError(
            "Must not contain control characters such as line breaks or tabs (found U+%(code)04X): "
            "this value goes into an email header.",
            code="control_characters",
            params={"code": ord(found.group()[0])},
        )


def header_safe(value):
    """`value` with every run of control characters replaced by one space."""
    return CONTROL_CHARACTERS.sub(" ", value) if value else value
