"""CSV (or XLSX) upload into a list: the file is read, its rows checked one by one and written in batches.

The file is read by `liffy.tables`, the reader the table miner uses too (encodings, delimiters,
multilingual whole-word header aliases, and the caps on rows, cells and unpacked size). The whole
file is read once in the request, so a malformed one is a 400 naming the problem before anything is
written. Bad rows are reported with their row number and skipped; the good ones go through the one
person/affiliation upsert (blanks filled, nothing overwritten) and become list members. Small files
are imported in the request; from CSV_INLINE_ROWS rows on, the file is stored in `list_uploads` (in
the database, so a worker on another machine can read it; the broker carries only its id), and a
task imports batches of CSV_BATCH_SIZE in their own transactions, records its progress on the list
and deletes the stored file when the import completes.
"""
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone

from legacy.lists import add_members
from legacy.models import List, ListUpload
from liffy.models import Organizer, User
from liffy.tables import Table, open_table, read_upload
from mining.normalize.countries import to_iso2
from mining.normalize.emails import check_email
from mining.normalize.names import parse_name
from persons.bulk import upsert_candidates
from persons.candidates import AffiliationData, Candidate

MAX_REPORTED_ERRORS = 100
AFFILIATION_FIELDS = {"company_name": 255, "job_title": 255, "city": 255, "phone": 50, "website": 500}


@dataclass
class TableUpload:
    """A readable table (`reader`) with its row count, and how far the checking of its rows has got."""

    reader: Table
    total: int
    errors: list = field(default_factory=list)
    duplicates: int = 0
    skipped: int = 0


def _split(name):
    """'Dr. Jane van der Berg' → ('Jane', 'van der Berg'); otherwise first word, then the rest."""
    first, last = parse_name(name, allow_single=True)
    if first or last:
        return first, last
    words = name.split()
    return (words[0][:255], " ".join(words[1:])[:255] or None) if words else (None, None)


def _candidate(values):
    first, last = values.get("first_name") or None, values.get("last_name") or None
    if not first and not last and values.get("contact_name"):
        first, last = _split(values["contact_name"])
    country = to_iso2(values.get("country")) if values.get("country") else None
    affiliation = {name: (values.get(name) or "")[:limit] or None for name, limit in AFFILIATION_FIELDS.items()}
    affiliations = []
    if affiliation["company_name"]:
        affiliations.append(AffiliationData(
            company_name=affiliation["company_name"], position=affiliation["job_title"], country_code=country,
            city=affiliation["city"], website=affiliation["website"], phone=affiliation["phone"], confidence=1.0))
    return first and first[:255], last and last[:255], affiliations


def checked_batches(table: TableUpload, size: int) -> Iterator[list[Candidate]]:
    """Batches of candidates in file order; bad rows are counted and reported on `table` as they are met."""
    batch, seen = [], set()
    for number, cells in table.reader.data_rows():
        values = table.reader.values(cells)
        raw_email = values.get("email", "")
        email, reason = check_email(raw_email)
        if not email:
            error = "no email" if not raw_email else f"{raw_email!r} is not a usable email address ({reason})"
            if len(table.errors) < MAX_REPORTED_ERRORS:
                table.errors.append({"row": number, "error": error})
            table.skipped += 1
            continue
        if email in seen:
            table.duplicates += 1
        seen.add(email)
        first, last, affiliations = _candidate(values)
        batch.append(Candidate(email, first, last, affiliations, {"row": number}))
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def import_batch(organizer_id: UUID | str, list_id: UUID | str, candidates: list[Candidate]) -> dict[str, Any]:
    """One batch's upserts and members (call inside its transaction); returns its counters."""
    upserted = upsert_candidates(organizer_id, candidates, source_type="import")
    added = add_members(organizer_id, list_id, upserted.person_ids.values())
    return {"imported": len(candidates), "persons_upserted": len(upserted.person_ids),
            "affiliations_upserted": upserted.affiliations_created + upserted.affiliations_enriched,
            "members_added": added, "emails": list(upserted.person_ids)}


def _progress(total, started_at):
    return {"total": total, "imported": 0, "skipped": 0, "duplicates": 0, "persons_upserted": 0,
            "affiliations_upserted": 0, "members_added": 0, "errors": [], "started_at": started_at.isoformat(),
            "completed_at": None}


def _checked(table):
    """The row-check counters as jsonb_build_object arguments."""
    return [table.skipped, table.duplicates, json.dumps(list(table.errors))]


def _record(list_id, counts, table):
    """Add a batch's counters to the list's progress, with the rows checked so far."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE lists SET import_progress = import_progress || jsonb_build_object("
            " 'imported', (import_progress->>'imported')::int + %s,"
            " 'persons_upserted', (import_progress->>'persons_upserted')::int + %s,"
            " 'affiliations_upserted', (import_progress->>'affiliations_upserted')::int + %s,"
            " 'members_added', (import_progress->>'members_added')::int + %s,"
            " 'skipped', %s, 'duplicates', %s, 'errors', %s::jsonb) WHERE id = %s",
            [counts["imported"], counts["persons_upserted"], counts["affiliations_upserted"],
             counts["members_added"], *_checked(table), list_id])


def _import_all(target, table):
    """Batches (each with its progress, in one transaction), then completion and verification queueing.

    Rows are checked as the batches are written, so memory stays flat however long the file is.
    """
    from persons.verification import queue_for_verification

    emails = []
    for candidates in checked_batches(table, settings.CSV_BATCH_SIZE):
        with transaction.atomic():
            counts = import_batch(target.organizer_id, target.pk, candidates)
            _record(target.pk, counts, table)
        emails += counts["emails"]
    queued = queue_for_verification(target.organizer_id, emails, only_with_key=True)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE lists SET import_status = 'completed', import_progress = import_progress ||"
                       " jsonb_build_object('skipped', %s, 'duplicates', %s, 'errors', %s::jsonb,"
                       " 'completed_at', now(), 'verification_queued', %s) WHERE id = %s",
                       [*_checked(table), queued, target.pk])
    target.refresh_from_db()
    return target.import_progress


def start_csv_import(organizer: Organizer, user: User | None, upload: UploadedFile, *, name: str | None = None,
                     target: List | None = None, tags: Iterable[str] = ()) -> tuple[List, dict[str, Any], bool]:
    """Create (or reuse) the list and import the file: (list, progress, inline?)."""
    data, total = read_upload(upload)
    if target is None:
        target = List.objects.create(organizer=organizer, name=(name or upload.name or "CSV import")[:255],
                                     type=List.Type.IMPORT, created_by_user=user,
                                     description=f"Imported from {upload.name}"[:1000])
    progress = _progress(total, timezone.now()) | {"file_name": upload.name, "tags": list(tags)}
    List.objects.filter(pk=target.pk).update(import_status="processing", import_progress=progress)
    target.refresh_from_db()
    if total < settings.CSV_INLINE_ROWS:
        return target, _import_file(target, upload.name, data, total), True
    from legacy.tasks import import_csv_task

    stored = ListUpload.objects.create(organizer=organizer, list=target, name=(upload.name or "")[:255],
                                       size=len(data), data=data)
    transaction.on_commit(lambda: import_csv_task.delay(str(target.pk), str(stored.pk)))
    return target, target.import_progress, False


def run_csv_import(list_id: UUID | str, upload_id: UUID | str) -> dict[str, Any] | None:
    """The background part: the stored file into its list, then the stored file goes. A second run of a
    finished import finds no file and does nothing."""
    stored = ListUpload.objects.filter(pk=upload_id, list_id=list_id).first()
    if stored is None:
        return None
    target = List.objects.get(pk=list_id)
    progress = _import_file(target, stored.name, bytes(stored.data), target.import_progress["total"])
    stored.delete()
    return progress


def _import_file(target, file_name, data, total):
    with open_table(file_name, data) as table:
        return _import_all(target, TableUpload(table, total))
