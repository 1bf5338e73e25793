"""The placeholder engine, table-driven."""

import pytest

from campaigns.placeholders import DEFAULT_DISPLAY_NAME, recipient_values, render, text_to_html

JANE = recipient_values(
    name="Jane Doe",
    email="jane@acme.de",
    unsubscribe_url="https://liffy.test/u/abc",
    meta={
        "company": "Acme & Sons",
        "country": "DE",
        "job_title": "CEO",
        "website": "https://acme.de",
        "tags": ["vip", "fair"],
    },
)
BARE = recipient_values(email="info@globex.ch", meta={})
COMPANY_ONLY = recipient_values(email="info@initech.com", meta={"company_name": "Initech"})
SCRIPT = recipient_values(name="<script>alert(1)</script>", email="x@evil.test", meta={"company": "A<b>C"})

CASES = [
    # (template, values, html_body, expected)
    ("Hello {{first_name}}", JANE, False, "Hello Jane"),
    ("Hello {{last_name}}", JANE, False, "Hello Doe"),
    ("{{name}}", JANE, False, "Jane Doe"),
    ("{{email}}", JANE, False, "jane@acme.de"),
    ("{{company}}", JANE, False, "Acme & Sons"),
    ("{{company_name}}", JANE, False, "Acme & Sons"),
    ("{{company}}", JANE, True, "Acme &amp; Sons"),
    ("{{country}}", JANE, False, "DE"),
    ("{{position}}", JANE, False, "CEO"),
    ("{{website}}", JANE, False, "https://acme.de"),
    ("{{tag}}", JANE, False, "vip"),
    ("{{display_name}}", JANE, False, "Jane"),
    ("{{display_name}}", COMPANY_ONLY, False, "Initech"),
    ("{{display_name}}", BARE, False, DEFAULT_DISPLAY_NAME),
    ("{{unsubscribe_url}}", JANE, False, "https://liffy.test/u/abc"),
    ("{{unsubscribe_link}}", JANE, False, "https://liffy.test/u/abc"),
    ("{{ first_name }}", JANE, False, "Jane"),
    ("{{FIRST_NAME}}", JANE, False, "Jane"),
    ("{{First_Name}}", JANE, False, "Jane"),
    ("{{unknown_field}}", JANE, False, "{{unknown_field}}"),
    ("{{ Unknown }} stays", JANE, False, "{{ Unknown }} stays"),
    ("{{first_name}}", BARE, False, ""),
    ('{{first_name|"there"}}', BARE, False, "there"),
    ("{{first_name|'there'}}", BARE, False, "there"),
    ('{{first_name|"there"}}', JANE, False, "Jane"),
    ('{{first_name|company|"friend"}}', COMPANY_ONLY, False, "Initech"),
    ('{{first_name|company|"friend"}}', BARE, False, "friend"),
    ("{{first_name|last_name}}", BARE, False, ""),
    ('{{ first_name | "there" }}', BARE, False, "there"),
    ('{{FIRST_NAME|"x"}}', JANE, False, "Jane"),
    ('{{nope|"fallback"}}', JANE, False, "fallback"),
    ('{{first_name|"a | b"}}', BARE, False, "a | b"),
    ('{{"literal first"|first_name}}', JANE, False, "literal first"),
    ('{{company|"<b>bold</b>"}}', BARE, True, "<b>bold</b>"),
    ("{{name}}", SCRIPT, True, "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("{{name}}", SCRIPT, False, "<script>alert(1)</script>"),
    ('{{company|"x"}}', SCRIPT, True, "A&lt;b&gt;C"),
    ("Hi {{first_name}}, {{company}} ({{country}})", JANE, False, "Hi Jane, Acme & Sons (DE)"),
    ("{{first_name}}{{last_name}}", JANE, False, "JaneDoe"),
    ("{first_name}", JANE, False, "{first_name}"),
    ("{{{first_name}}}", JANE, False, "{Jane}"),
    ("", JANE, False, ""),
    ("no placeholders", JANE, True, "no placeholders"),
    ('{{display_name|"x"}}', BARE, False, DEFAULT_DISPLAY_NAME),
]


@pytest.mark.parametrize("template, values, html_body, expected", CASES)
def test_render(template, values, html_body, expected):
    assert render(template, values, html_body=html_body) == expected


def test_values_from_meta_and_name_split():
    values = recipient_values(name="Ana María López", email="ana@x.es", meta={"title": "Buyer", "tag": "expo"})
    assert (values["first_name"], values["last_name"], values["position"], values["tag"]) == (
        "Ana",
        "María López",
        "Buyer",
        "expo",
    )
    meta_names = recipient_values(name="Someone Else", meta={"first_name": "Jane", "last_name": "Doe"})
    assert (meta_names["first_name"], meta_names["last_name"]) == ("Jane", "Doe")
    assert "unsubscribe_url" not in recipient_values(email="a@b.de")


TEXT_TO_HTML = [
    (
        "Hello Jane,\n\nWelcome to the fair.\nSee you there.",
        '<div style="font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.6;color:#333">'
        "<p>Hello Jane,</p><p>Welcome to the fair.<br>See you there.</p></div>",
    ),
    ("<p>Already HTML</p>", "<p>Already HTML</p>"),
    (
        "Hi {{first_name}},\n\nBye",
        '<div style="font-family:Arial,Helvetica,sans-serif;font-size:14px;'
        'line-height:1.6;color:#333"><p>Hi {{first_name}},</p><p>Bye</p></div>',
    ),
    ("", ""),
]


@pytest.mark.parametrize("body, expected", TEXT_TO_HTML)
def test_text_to_html(body, expected):
    assert text_to_html(body) == expected
