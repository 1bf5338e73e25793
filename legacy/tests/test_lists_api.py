"""Lists API: CRUD, members, export, and CSV upload (encodings, delimiters, bad rows, size, background)."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from legacy.models import List, ListMember, ListUpload
from legacy.tests.factories import ListFactory, ListMemberFactory, ListUploadFactory
from persons.models import Affiliation, Person, VerificationQueue
from persons.tests.factories import AffiliationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def upload(client, content, name="contacts.csv", **fields):
    data = content if isinstance(content, bytes) else content.encode()
    return client.post("/api/lists/upload-csv", {"file": SimpleUploadedFile(name, data), **fields}, format="multipart")


GOOD = """Email;Full Name;Company;Job Title;Country;Phone
jane.doe@acme.de;Dr. Jane Doe;Acme GmbH;CEO;Germany;+49 30 1234
ali@yilmaz.com.tr;Ali Yılmaz;Yılmaz AŞ;Satış Müdürü;Türkiye;
"""


def test_create_rename_and_delete_a_list_keeps_persons(member_client, organizer):
    created = member_client.post("/api/lists", {"name": "Fair 2027", "description": "Hall 3"}, format="json")
    assert created.status_code == 201 and created.json()["type"] == "manual"
    target = List.objects.get(pk=created.json()["id"])
    assert target.organizer == organizer
    person = ListMemberFactory(list=target).person
    assert member_client.get(f"/api/lists/{target.pk}").json()["member_count"] == 1
    assert member_client.patch(f"/api/lists/{target.pk}", {"name": "Fair 2028"}).json()["name"] == "Fair 2028"
    assert member_client.delete(f"/api/lists/{target.pk}").status_code == 204
    assert Person.objects.filter(pk=person.pk).exists() and not ListMember.objects.exists()


def test_members_add_by_ids_and_emails_list_and_remove(member_client, organizer, other_organizer):
    target = ListFactory(organizer=organizer)
    known = PersonFactory(organizer=organizer, email="known@acme.de")
    AffiliationFactory(person=known, organizer=organizer, company_name="Acme")
    added = member_client.post(
        f"/api/lists/{target.pk}/members",
        {"person_ids": [str(known.pk)], "emails": ["New@Client.test", "known@acme.de"]},
        format="json",
    )
    assert added.json() == {"added": 2, "already_members": 0}
    again = member_client.post(f"/api/lists/{target.pk}/members", {"person_ids": [str(known.pk)]}, format="json")
    assert again.json() == {"added": 0, "already_members": 1}
    page = member_client.get(f"/api/lists/{target.pk}/members").json()
    assert {row["email"] for row in page["results"]} == {"known@acme.de", "new@client.test"}
    assert (
        next(r for r in page["results"] if r["email"] == "known@acme.de")["latest_affiliation"]["company_name"]
        == "Acme"
    )
    foreign = PersonFactory(organizer=other_organizer)
    refused = member_client.post(f"/api/lists/{target.pk}/members", {"person_ids": [str(foreign.pk)]}, format="json")
    assert refused.status_code == 400 and "person_ids" in refused.json()
    bad = member_client.post(f"/api/lists/{target.pk}/members", {"emails": ["nope"]}, format="json")
    assert bad.status_code == 400 and "emails" in bad.json()
    removed = member_client.delete(f"/api/lists/{target.pk}/members", {"person_ids": [str(known.pk)]}, format="json")
    assert removed.json() == {"removed": 1} and target.members.count() == 1


def test_export_is_a_csv_of_members(member_client, organizer):
    member = ListMemberFactory(list__organizer=organizer, person__email="jane@acme.de", person__first_name="Jane")
    AffiliationFactory(
        person=member.person,
        organizer=organizer,
        company_name="Acme",
        country_code="DE",
        position="CEO",
        city="Berlin",
        phone=None,
        website=None,
    )
    response = member_client.get(f"/api/lists/{member.list_id}/export")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows == [
        {
            "email": "jane@acme.de",
            "first_name": "Jane",
            "last_name": member.person.last_name or "",
            "company": "Acme",
            "position": "CEO",
            "country": "DE",
            "city": "Berlin",
            "phone": "",
            "website": "",
            "verification_status": "unknown",
        }
    ]


def test_upload_imports_rows_with_names_countries_and_affiliations(member_client, organizer):
    response = upload(member_client, GOOD, name="Leipzig")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "Leipzig" and body["type"] == "import" and body["member_count"] == 2
    progress = body["import_progress"]
    assert (progress["total"], progress["imported"], progress["skipped"], progress["errors"]) == (2, 2, 0, [])
    assert body["import_status"] == "completed" and progress["completed_at"]
    jane = Person.objects.get(email="jane.doe@acme.de")
    assert (jane.first_name, jane.last_name) == ("Jane", "Doe")
    assert Affiliation.objects.get(person=jane).country_code == "DE"
    assert Affiliation.objects.get(person__email="ali@yilmaz.com.tr").country_code == "TR"


@pytest.mark.parametrize(
    "encoding, delimiter", [("utf-8-sig", ","), ("utf-16", "\t"), ("cp1252", ";"), ("utf-8", "\t")]
)
def test_encodings_and_delimiters(member_client, encoding, delimiter):
    text = (
        delimiter.join(["E-Mail", "Vorname", "Nachname", "Firma"])
        + "\r\n"
        + delimiter.join(["juergen@mueller-gmbh.de", "Jürgen", "Müller", "Müller GmbH"])
        + "\r\n"
    )
    response = upload(member_client, text.encode(encoding))
    assert response.status_code == 201, response.json()
    person = Person.objects.get()
    assert (person.first_name, person.last_name) == ("Jürgen", "Müller")


def test_quoted_newlines_stay_in_their_cell(member_client):
    text = 'email,company,name\n"a@acme.de","Acme\nEvents GmbH",Ann Lee\n'
    assert upload(member_client, text).status_code == 201
    assert Affiliation.objects.get().company_name == "Acme\nEvents GmbH"


def test_missing_email_column_is_a_400_naming_the_columns(member_client):
    response = upload(member_client, "name,company\nJane,Acme\n")
    assert response.status_code == 400 and '"name", "company"' in response.json()["file"][0]
    assert not List.objects.exists()


def test_bad_rows_are_reported_and_good_rows_kept(member_client):
    text = "email,name\ngood@acme.de,Good One\n,No Email\nnot-an-email,Bad\ngood@acme.de,Again\nok@beta.de,Ok\n"
    body = upload(member_client, text).json()
    progress = body["import_progress"]
    assert [(e["row"], e["error"].split(" ")[0]) for e in progress["errors"]] == [(3, "no"), (4, "'not-an-email'")]
    assert (progress["imported"], progress["skipped"], progress["duplicates"]) == (3, 2, 1)
    assert body["member_count"] == 2


def test_large_files_are_refused(member_client, settings):
    settings.UPLOAD_MAX_BYTES = 100
    response = upload(member_client, "email\n" + "x@acme.de\n" * 20)
    assert response.status_code == 413
    assert response.json() == {"detail": "The upload is larger than 100 bytes, the most a file may be."}
    assert not List.objects.exists()


def test_empty_and_binary_files_get_clear_errors(member_client):
    empty = upload(member_client, b"")
    assert empty.status_code == 400 and "empty" in str(empty.json()["file"]).lower()
    binary = upload(member_client, bytes(range(256)) * 10)
    assert binary.status_code == 400 and "not readable text" in binary.json()["file"][0]


def test_reimporting_the_same_file_into_the_list_changes_nothing(member_client):
    first = upload(member_client, GOOD).json()
    snapshot = sorted(Person.objects.values_list("email", "first_name", "last_name", "updated_at"))
    second = upload(member_client, GOOD, list_id=first["id"])
    assert second.status_code == 201 and second.json()["member_count"] == 2
    assert sorted(Person.objects.values_list("email", "first_name", "last_name", "updated_at")) == snapshot
    assert Affiliation.objects.count() == 2 and List.objects.count() == 1


def test_big_files_import_in_the_background(member_client, settings, django_capture_on_commit_callbacks):
    settings.CSV_INLINE_ROWS, settings.CSV_BATCH_SIZE = 5, 4
    text = "email,company\n" + "".join(f"p{n}@firm{n}.de,Firm {n}\n" for n in range(11)) + "broken,Firm X\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(member_client, text)
    assert response.status_code == 202 and response.json()["import_status"] == "processing"
    assert response.json()["import_progress"]["total"] == 12
    detail = member_client.get(f"/api/lists/{response.json()['id']}").json()
    progress = detail["import_progress"]
    assert detail["import_status"] == "completed" and (progress["imported"], progress["skipped"]) == (11, 1)
    assert [error["row"] for error in progress["errors"]] == [13] and "'broken'" in progress["errors"][0]["error"]
    assert detail["member_count"] == 11


def test_the_background_import_gets_a_reference_to_the_stored_file_not_the_file(
    member_client, organizer, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """Workers may run elsewhere: the file waits in the database and the task carries only ids."""
    from legacy.tasks import import_csv_task

    settings.CSV_INLINE_ROWS = 5
    queued = []
    monkeypatch.setattr(import_csv_task, "delay", lambda *args: queued.append(args))
    data = ("email,company\n" + "".join(f"p{n}@firm{n}.de,Firm {n}\n" for n in range(8))).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(member_client, data, name="fair.csv")
    assert response.status_code == 202
    stored = ListUpload.objects.get()
    assert queued == [(response.json()["id"], str(stored.pk))]
    assert (stored.organizer, str(stored.list_id), stored.name, stored.size, bytes(stored.data)) == (
        organizer,
        response.json()["id"],
        "fair.csv",
        len(data),
        data,
    )

    import_csv_task(*queued[0])
    target = List.objects.get(pk=response.json()["id"])
    assert target.import_status == "completed" and target.members.count() == 8
    assert not ListUpload.objects.exists()  # deleted once the import completed
    assert import_csv_task(*queued[0]) is None  # delivered again: nothing left to do, nothing changes
    assert target.members.count() == 8


def test_deleting_a_list_deletes_its_waiting_upload(member_client, organizer):
    waiting = ListUploadFactory(list__organizer=organizer)
    assert member_client.delete(f"/api/lists/{waiting.list_id}").status_code == 204
    assert not ListUpload.objects.exists()


def test_imported_addresses_are_queued_for_verification_when_a_key_exists(member_client, organizer):
    type(organizer).objects.filter(pk=organizer.pk).update(zerobounce_api_key="zb-key")
    PersonFactory(organizer=organizer, email="jane.doe@acme.de", verification_status="valid")
    body = upload(member_client, GOOD).json()
    assert body["import_progress"]["verification_queued"] == 1
    assert list(VerificationQueue.objects.values_list("email", flat=True)) == ["ali@yilmaz.com.tr"]
