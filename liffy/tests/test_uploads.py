"""Bounded uploads through both endpoints that take a table file (the list import and mining job
creation): request bodies refused before they are read, malformed CSV and hostile XLSX refused with a
400 naming the problem, never a 500."""

import io
import zipfile

import pytest
from django.core.files import uploadhandler
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from openpyxl import Workbook

from legacy.models import List
from mining import jobs
from mining.miners import MinerInput
from mining.miners.table import TableFileMiner
from mining.models import MiningJob, MiningJobLog
from mining.tests.factories import MiningJobFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = {"lists": "/api/lists/upload-csv", "mining": "/api/mining/jobs"}


def post_file(client, endpoint, data, name="contacts.csv", **extra):
    return client.post(ENDPOINTS[endpoint], {"file": SimpleUploadedFile(name, data)}, format="multipart", **extra)


def nothing_created():
    return not List.objects.exists() and not MiningJob.objects.exists()


def workbook(rows, dimension=None):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    if dimension is None:
        return data
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            body = source.read(part)
            if part.filename == "xl/worksheets/sheet1.xml":
                start = body.index(b'<dimension ref="')
                end = body.index(b'"', start + 16)
                body = body[: start + 16] + dimension.encode() + body[end:]
            target.writestr(part, body)
    return out.getvalue()


def zip_of(parts):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return buffer.getvalue()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_body_declared_larger_than_the_limit_is_refused_unread(member_client, endpoint):
    """The request claims 50 MB but carries a few bytes: reading past them would fail the test client,
    so the 413 proves nothing was read."""
    response = post_file(member_client, endpoint, b"email\njane@acme.test\n", CONTENT_LENGTH=str(50 * 1024 * 1024))
    assert response.status_code == 413
    assert response.json() == {"detail": "The upload is larger than 10 MB, the most a file may be."}
    assert nothing_created()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_file_outgrowing_the_limit_while_it_streams_is_refused(member_client, settings, endpoint):
    settings.UPLOAD_MAX_BYTES = 1000
    response = post_file(member_client, endpoint, b"email\n" + b"jane@acme.test\n" * 200)
    assert response.status_code == 413
    assert response.json() == {"detail": "The upload is larger than 1000 bytes, the most a file may be."}
    assert nothing_created()


def test_the_admin_refuses_an_oversized_upload(client, staff_user, organizer, settings):
    settings.UPLOAD_MAX_BYTES = 100
    client.force_login(staff_user)
    response = client.post(
        "/admin/legacy/list/add/",
        {"organizer": organizer.pk, "name": "Big", "csv_file": SimpleUploadedFile("c.csv", b"email\n" + b"x" * 500)},
    )
    assert response.status_code == 400
    assert not List.objects.exists()


def test_uploads_above_the_memory_threshold_spool_to_a_temporary_file(member_client, settings, monkeypatch):
    spooled = []

    class Recorded(TemporaryUploadedFile):
        def __init__(self, name, *args, **kwargs):
            spooled.append(name)
            super().__init__(name, *args, **kwargs)

    monkeypatch.setattr(uploadhandler, "TemporaryUploadedFile", Recorded)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000
    rows = "".join(f"person{n}@acme.test,Person {n}\n" for n in range(100))
    response = post_file(member_client, "lists", ("email,name\n" + rows).encode())
    assert response.status_code == 201 and response.json()["member_count"] == 100
    assert spooled == ["contacts.csv"]


MALFORMED_CSV = {
    "bad UTF-8 after a BOM": (
        b"\xef\xbb\xbfemail,name\njane@acme.test,J\xfcrgen\n",
        "The file starts with a UTF-8 byte order mark but is not UTF-8: byte 30 cannot be "
        "read. Save it as CSV in UTF-8 again.",
    ),
    "truncated UTF-16": (
        "email,name\njane@acme.test,Jane\n".encode("utf-16")[:-1],
        "The file is UTF-16 (it starts with a byte order mark) but is cut short or damaged at byte 62.",
    ),
    "truncated UTF-16 without a BOM": (
        "email,name\njane@acme.test,Jane\n".encode("utf-16-le")[:-1],
        "The file looks like UTF-16 but is cut short or damaged at byte 60.",
    ),
    "NUL bytes": (
        b"email,name\n" + b"jane@acme.test,Jane\n" * 300 + b"nul@acme.test,N\x00L\n",
        "The file contains a NUL character (line 302): it is not a text CSV file.",
    ),
    "a field over the csv module's limit": (
        b'email,notes\njane@acme.test,"' + b"x" * 140_000 + b'"\n',
        "Row 2 has a cell longer than 131,072 characters.",
    ),
    "a row longer than the header": (
        b"email,name\njane@acme.test,Jane\nmax@acme.test,Max,Muster,extra\n",
        "Row 3 has 4 cells but the header (row 1) has 2: check the delimiter and the quoting.",
    ),
    "binary content": (
        bytes(range(256)) * 10,
        "The file is not readable text (a binary file, or an unknown encoding): save it as CSV in UTF-8.",
    ),
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("problem", MALFORMED_CSV)
def test_malformed_csv_is_a_400_naming_the_problem(member_client, endpoint, problem):
    data, message = MALFORMED_CSV[problem]
    response = post_file(member_client, endpoint, data)
    assert response.status_code == 400
    assert response.json() == {"file": [message]}
    assert nothing_created()


def test_a_mining_job_whose_stored_file_is_malformed_fails_with_a_clear_log_line(organizer):
    job = MiningJobFactory(
        organizer=organizer,
        type="csv",
        input="exhibitors.csv",
        status="pending",
        file_data=b"Email,Company\njane@acme.test,Acme\x00 GmbH\n",
    )
    jobs.run_mining_job(job.pk)
    job.refresh_from_db()
    message = "The file contains a NUL character (line 2): it is not a text CSV file."
    assert (job.status, job.error) == ("failed", message)
    assert MiningJobLog.objects.filter(job=job, level="error", message=message).exists()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_row_and_cell_caps(member_client, settings, endpoint):
    data = b"email,name\n" + b"".join(b"p%d@acme.test,P %d\n" % (n, n) for n in range(10))
    settings.TABLE_MAX_ROWS = 5
    response = post_file(member_client, endpoint, data)
    assert response.json() == {"file": ["The file has more than 5 rows, the most a file may have."]}
    settings.TABLE_MAX_ROWS, settings.TABLE_MAX_CELLS = 100, 15
    response = post_file(member_client, endpoint, data)
    assert response.json() == {"file": ["The file has more than 15 cells, the most a file may have."]}
    assert nothing_created()


def test_short_rows_and_blank_lines_are_fine_and_rows_keep_their_file_numbers(member_client):
    response = post_file(member_client, "lists", b"email,name,company\njane@acme.test\n\n\nnot-an-address,X\n")
    assert response.status_code == 201
    progress = response.json()["import_progress"]
    assert (progress["imported"], progress["skipped"]) == (1, 1)
    assert progress["errors"][0]["row"] == 5


def test_a_workbook_can_be_imported_into_a_list(member_client):
    data = workbook(
        [
            ["Ausstellerliste"],
            [],
            ["Firma", "E-Mail", "Vorname", "Nachname"],
            ["Acme GmbH", "jane@acme.test", "Jane", "Doe"],
        ]
    )
    response = post_file(member_client, "lists", data, name="aussteller.xlsx")
    assert response.status_code == 201, response.json()
    assert response.json()["member_count"] == 1


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_zip_bomb_is_refused_before_it_is_unpacked(member_client, endpoint):
    bomb = zip_of({"[Content_Types].xml": "<Types/>", "xl/worksheets/sheet1.xml": b"<row/>" * 5_000_000})
    assert len(bomb) < 100_000
    response = post_file(member_client, endpoint, bomb, name="list.xlsx")
    assert response.json() == {
        "file": [
            "The workbook part xl/worksheets/sheet1.xml is compressed more than 100 "
            "to 1: refused as a possible zip bomb."
        ]
    }
    many = zip_of({f"part{n}.xml": "" for n in range(1001)})
    response = post_file(member_client, endpoint, many, name="list.xlsx")
    assert response.json() == {"file": ["The workbook has 1,001 parts, more than the 1,000 allowed."]}
    assert nothing_created()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_workbook_unpacking_beyond_the_cap_is_refused(member_client, settings, endpoint):
    settings.TABLE_MAX_UNCOMPRESSED_BYTES = 5 * 1024
    data = workbook([["Email"], ["jane@acme.test"]])
    response = post_file(member_client, endpoint, data, name="list.xlsx")
    [message] = response.json()["file"]
    assert message.startswith("The workbook unpacks to ") and message.endswith("more than the 5 KB allowed.")
    assert nothing_created()


def test_a_declared_sheet_size_does_not_pad_the_rows(member_client, run_eagerly):
    """Files saved after formatting whole rows declare A1:XFD1048576; only the header's columns are read
    (a note right of the table is not a column)."""
    data = workbook(
        [["Email", "Company", None, "Notes"], ["jane@acme.test", "Acme", None, "Hall 3", None, "aside"]],
        dimension="A1:XFD1048576",
    )
    job = MiningJob.objects.get(pk=run_eagerly(member_client, data).json()["id"])
    assert job.status == "completed" and job.total_found == 1
    [block] = TableFileMiner().mine(MinerInput(file_name="exhibitors.xlsx", file_data=data)).blocks
    assert (block["company_name"], block["raw"]) == ("Acme", {"Notes": "Hall 3"})


@pytest.fixture
def run_eagerly(django_capture_on_commit_callbacks):
    def create(client, data):
        with django_capture_on_commit_callbacks(execute=True):
            return post_file(client, "mining", data, name="exhibitors.xlsx")

    return create
