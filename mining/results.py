"""Mining results: storing what a job discovered, and the push endpoint's validation of external results.

`mining_results` has no unique key in the schema (an adopted database may already hold repeats), so
the inserts of one job serialize on a transaction-scoped advisory lock and leave out every row whose
(job, source_url, first email) is already stored: a re-run or a re-push stores nothing twice.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from liffy import sql

from mining.normalize import normalize_blocks
from mining.models import MiningJob
from mining.normalize.emails import clean_email
from persons.candidates import Candidate

TEXT_FIELDS = {
    "contact_name": 255,
    "company_name": 255,
    "job_title": 255,
    "phone": 100,
    "country": 100,
    "city": 255,
    "address": 1000,
    "website": 2048,
    "source_url": 2048,
}


def result_row_from_candidate(candidate: Candidate, default_source_url: str | None) -> dict[str, Any]:
    affiliation = candidate.affiliations[0] if candidate.affiliations else None
    value = (lambda name: getattr(affiliation, name)) if affiliation else (lambda name: None)
    return {
        "emails": [candidate.email],
        "contact_name": " ".join(filter(None, [candidate.first_name, candidate.last_name])) or None,
        "company_name": value("company_name"),
        "job_title": value("position"),
        "phone": value("phone"),
        "country": value("country_code"),
        "city": value("city"),
        "address": None,
        "website": value("website"),
        "source_url": candidate.extraction_meta.get("source_url") or default_source_url,
        "confidence": value("confidence"),
        "raw": {
            "extraction_meta": candidate.extraction_meta,
            "affiliations": [vars(a) for a in candidate.affiliations],
        },
    }


def store_results(job: MiningJob, rows: Iterable[dict[str, Any]]) -> int:
    """Insert result rows for `job`, skipping those already stored. Returns how many were new."""
    unique = {}
    for row in rows:
        unique.setdefault((row.get("source_url"), row["emails"][0].lower()), row)
    rows = list(unique.values())
    if not rows:
        return 0
    columns = (
        "source_url",
        "company_name",
        "contact_name",
        "job_title",
        "phone",
        "country",
        "website",
        "city",
        "address",
    )
    with transaction.atomic(), sql.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%b, 0))", [f"mining_results:{job.pk}"])
        cursor.execute(
            f"""
            INSERT INTO mining_results (id, job_id, organizer_id, {", ".join(columns)}, emails, raw,
                                        confidence_score, status, created_at, updated_at)
            SELECT gen_random_uuid(), %b, %b, {", ".join("t." + c for c in columns)},
                   ARRAY(SELECT jsonb_array_elements_text(t.emails::jsonb)), t.raw::jsonb, t.confidence, 'new',
                   now(), now()
            FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[], %b::text[], %b::text[], %b::text[],
                        %b::text[], %b::text[], %b::text[], %b::text[], %b::numeric[], %b::text[])
                 AS t({", ".join(columns)}, emails, raw, confidence, first_email)
            WHERE NOT EXISTS (
                SELECT 1 FROM mining_results r
                WHERE r.job_id = %b AND r.source_url = t.source_url AND lower(r.emails[1]) = t.first_email
            )
            """,
            [
                job.pk,
                job.organizer_id,
                *[[row.get(c) for row in rows] for c in columns],
                [json.dumps(row["emails"]) for row in rows],
                [json.dumps(row.get("raw"), default=str) for row in rows],
                [row.get("confidence") for row in rows],
                [row["emails"][0].lower() for row in rows],
                job.pk,
            ],
        )
        return cursor.rowcount


@dataclass
class PushedBatch:
    rows: list = field(default_factory=list)  # valid rows, ready for store_results
    rejected: list = field(default_factory=list)  # {index, errors: {field: reason}}
    emails_raw: int = 0


def validate_pushed_results(results: Sequence[Any], default_source_url: str | None) -> PushedBatch:
    """Split pushed rows into valid ones and per-row errors; nothing valid is lost."""
    batch = PushedBatch()
    for index, item in enumerate(results):
        errors, row = _validate_row(item, default_source_url)
        if errors:
            batch.rejected.append({"index": index, "errors": errors})
            continue
        batch.emails_raw += len(row["emails"])
        batch.rows.append(row)
    return batch


def _validate_row(item, default_source_url):
    if not isinstance(item, dict):
        return {"row": "must be an object"}, None
    errors = {}
    raw_emails = item.get("emails") if item.get("emails") is not None else [item.get("email")]
    if not isinstance(raw_emails, list) or not all(isinstance(e, str) or e is None for e in raw_emails):
        errors["emails"] = "must be a list of strings"
        raw_emails = []
    emails = list(dict.fromkeys(filter(None, (clean_email(e) for e in raw_emails))))
    if not emails and "emails" not in errors:
        errors["email"] = "no valid email address"
    row = {"emails": emails}
    for name, limit in TEXT_FIELDS.items():
        value = item.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            errors[name] = "must be a string"
        elif len(value) > limit:
            errors[name] = f"longer than {limit} characters"
        else:
            row[name] = value.strip()
    confidence = item.get("confidence")
    if confidence is not None:
        if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 <= confidence <= 1:
            errors["confidence"] = "must be a number between 0 and 1"
        else:
            row["confidence"] = float(confidence)
    row.setdefault("source_url", default_source_url)
    row["raw"] = {"pushed": item}
    return errors, row


def candidates_from_rows(rows: Iterable[dict[str, Any]], miner_name: str) -> list[Candidate]:
    candidates, _rejected = normalize_blocks(
        [{k: v for k, v in row.items() if k != "raw"} | {"context": ""} for row in rows],
        {"miner_name": miner_name},
    )
    return candidates
