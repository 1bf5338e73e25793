"""CSV (or XLSX) upload into a list: the file is read, its rows checked one by one and written in batches.

The file is read by `liffy.tables`, the reader the table miner uses too (encodings, delimiters,
multilingual whole-word header aliases, and the caps on rows, cells and unpacked size). The whole
file is read once in the request, so a malformed one is a 400 naming the problem before anything is
written. Bad rows are reported with their row number and skipped; the good ones go through the one
person/affiliation upsert (blanks filled, nothing overwritten) and become list members. Small files
are imported in the request; from CSV_INLINE_ROWS rows on, the file is stored in `list_uploads` (in
the database, so a worker on another machine can read it; the broker carries only its id), and a
task imports batches of CSV_BATCH_SIZE in their own transactions, records its progress on the list
and deletes the stored file when the import completes. The stored file can be split into row ranges
imported in parallel (worker processes, or Celery tasks on every imports worker when a result
backend is configured); the progress counters are added to on the server, so they stay right, and
the end (duplicates over the whole file, errors in row order, verification) runs once after all.
"""

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import islice
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from legacy.lists import add_members
from legacy.models import List, ListUpload
from liffy import sql
from liffy.models import Organizer, User
from liffy.parallel import Outcome, Progress, Work, prefetched, row_ranges, run_parts, usable_workers
from liffy.progress import MAX_REPORTED_ERRORS, add_progress, failure_recorded
from liffy.tables import Table, open_table, read_upload
from mining.normalize.countries import to_iso2
from mining.normalize.emails import check_email
from mining.normalize.names import parse_name
from persons.bulk import upsert_candidates
from persons.candidates import AffiliationData, Candidate

ROWS_PER_PART = 20_000  # rows of one Celery task when an import is split over the workers of many machines
FAILURE_ADVICE = (
    "The import stopped on an unexpected error. The rows imported before it are in the list; upload the "
    "file again to import the rest (rows already in the list are not added twice)."
)
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
        affiliations.append(
            AffiliationData(
                company_name=affiliation["company_name"],
                position=affiliation["job_title"],
                country_code=country,
                city=affiliation["city"],
                website=affiliation["website"],
                phone=affiliation["phone"],
                confidence=1.0,
            )
        )
    return first and first[:255], last and last[:255], affiliations


def checked_batches(table: TableUpload, size: int, rows: tuple[int, int] | None = None) -> Iterator[list[Candidate]]:
    """Batches of candidates in file order (of the data rows numbered [start, stop) when `rows` is given);
    bad rows are counted and reported on `table` as they are met."""
    batch, seen = [], set()
    data_rows = table.reader.data_rows()
    for number, cells in islice(data_rows, *rows) if rows else data_rows:
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
    return {
        "imported": len(candidates),
        "persons_upserted": len(upserted.person_ids),
        "affiliations_upserted": upserted.affiliations_created + upserted.affiliations_enriched,
        "members_added": added,
        "person_ids": upserted.person_ids,
    }


def _progress(total, started_at):
    return {
        "total": total,
        "imported": 0,
        "skipped": 0,
        "duplicates": 0,
        "persons_upserted": 0,
        "affiliations_upserted": 0,
        "members_added": 0,
        "errors": [],
        "started_at": started_at.isoformat(),
        "completed_at": None,
    }


def _import_rows(target, table, rows=None):
    """The rows' batches (`rows`: data rows [start, stop), else all), each in one transaction with its
    progress; the file is checked in a thread ahead of the writes. Returns the outcome: counters,
    reported errors, and the address → person id of every imported row (for duplicates and verification)."""
    outcome = Outcome()
    recorded = {"skipped": 0, "duplicates": 0, "errors": 0}
    for candidates in prefetched(checked_batches(table, settings.CSV_BATCH_SIZE, rows)):
        with transaction.atomic():
            counts = import_batch(target.organizer_id, target.pk, candidates)
            person_ids = counts.pop("person_ids")
            checked = {"skipped": table.skipped, "duplicates": table.duplicates}
            add_progress(
                "lists",
                target.pk,
                counts | {name: value - recorded[name] for name, value in checked.items()},
                table.errors[recorded["errors"] :],
            )
        recorded = checked | {"errors": len(table.errors)}
        outcome.add(Outcome(Counter(counts), ids=person_ids))
    add_progress(
        "lists", target.pk, {"skipped": table.skipped - recorded["skipped"]}, table.errors[recorded["errors"] :]
    )
    outcome.counts.update(skipped=table.skipped)
    outcome.errors = list(table.errors)
    return outcome


def import_row_range(part: tuple[int, int], progress: Progress, *, list_id: str, upload_id: str) -> Outcome:
    """The data rows [start, stop) of a stored upload into its list (one part of a parallel import)."""
    with _failure_recorded(list_id, upload_id):
        stored = ListUpload.objects.get(pk=upload_id, list_id=list_id)
        target = List.objects.get(pk=list_id)
        with open_table(stored.name, bytes(stored.data)) as table:
            outcome = _import_rows(target, TableUpload(table, target.import_progress["total"]), part)
    progress(part[1] - part[0])
    return outcome


def _failure_recorded(list_id, upload_id):
    """A background import that raises ends `failed`, and its stored file goes."""
    return failure_recorded(
        "lists", list_id, FAILURE_ADVICE, on_failure=ListUpload.objects.filter(pk=upload_id, list_id=list_id).delete
    )


def complete_import(target: List, outcome: Outcome) -> dict[str, Any]:
    """The import's end: exact duplicates and errors over the whole file, verification queued, completed."""
    from persons.verification import queue_for_verification

    queued = queue_for_verification(target.organizer_id, list(outcome.ids), only_with_key=True)
    errors = sorted(outcome.errors, key=lambda error: error["row"])[:MAX_REPORTED_ERRORS]
    sql.execute(
        "UPDATE lists SET import_status = 'completed', import_progress = import_progress ||"
        " jsonb_build_object('duplicates', %s::int, 'errors', %s::jsonb, 'completed_at', now(),"
        " 'verification_queued', %s::int) WHERE id = %s",
        [outcome.counts["imported"] - len(outcome.ids), json.dumps(errors), queued, target.pk],
    )
    target.refresh_from_db()
    return target.import_progress


def start_csv_import(
    organizer: Organizer,
    user: User | None,
    upload: UploadedFile,
    *,
    name: str | None = None,
    target: List | None = None,
    tags: Iterable[str] = (),
) -> tuple[List, dict[str, Any], bool]:
    """Create (or reuse) the list and import the file: (list, progress, inline?)."""
    data, total = read_upload(upload)
    if target is None:
        target = List.objects.create(
            organizer=organizer,
            name=(name or upload.name or "CSV import")[:255],
            type=List.Type.IMPORT,
            created_by_user=user,
            description=f"Imported from {upload.name}"[:1000],
        )
    progress = _progress(total, timezone.now()) | {"file_name": upload.name, "tags": list(tags)}
    List.objects.filter(pk=target.pk).update(import_status="processing", import_progress=progress)
    target.refresh_from_db()
    if total < settings.CSV_INLINE_ROWS:
        return target, _import_file(target, upload.name, data, total), True
    from legacy.tasks import import_csv_task

    stored = ListUpload.objects.create(
        organizer=organizer, list=target, name=(upload.name or "")[:255], size=len(data), data=data
    )
    transaction.on_commit(lambda: import_csv_task.delay(str(target.pk), str(stored.pk)))
    return target, target.import_progress, False


def run_csv_import(list_id: UUID | str, upload_id: UUID | str, *, workers: int = 1) -> dict[str, Any] | None:
    """The background part: the stored file into its list, split into `workers` row ranges imported in
    parallel, then the stored file goes. A second run of a finished import finds no file and does nothing."""
    if not ListUpload.objects.filter(pk=upload_id, list_id=list_id).exists():
        return None
    work, parts = csv_import_parts(list_id, upload_id, usable_workers(workers))
    return finish_csv_import(list_id, upload_id, run_parts(work, parts, workers=workers))


def parts_for(list_id: UUID | str) -> int:
    """How many Celery tasks a stored upload's import is split into: one per ROWS_PER_PART rows."""
    total = List.objects.values_list("import_progress__total", flat=True).get(pk=list_id)
    return -(-total // ROWS_PER_PART)


def csv_import_parts(list_id: UUID | str, upload_id: UUID | str, parts: int) -> tuple[Work, list[tuple[int, int]]]:
    """The work and the row ranges of a stored upload's import split in `parts` (processes or Celery tasks)."""
    total = List.objects.values_list("import_progress__total", flat=True).get(pk=list_id)
    return (
        Work("legacy.csv_import.import_row_range", {"list_id": str(list_id), "upload_id": str(upload_id)}),
        row_ranges(total, parts),
    )


def finish_csv_import(list_id: UUID | str, upload_id: UUID | str, outcome: Outcome) -> dict[str, Any]:
    """After every part: the import completed (see `complete_import`) and the stored file deleted."""
    with _failure_recorded(list_id, upload_id):
        progress = complete_import(List.objects.get(pk=list_id), outcome)
    ListUpload.objects.filter(pk=upload_id).delete()
    return progress


def _import_file(target, file_name, data, total):
    with open_table(file_name, data) as table:
        return complete_import(target, _import_rows(target, TableUpload(table, total)))
