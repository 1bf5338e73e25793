"""Set-at-a-time upsert of contact candidates into persons + affiliations.

The one write path shared by the mining aggregation, the results push, import-all, backfill_persons
and the CSV import. Rules (from the founding document):
- a person is keyed by (organizer, lower(email)); known names are never replaced or blanked, blanks
  are filled;
- an affiliation with a company is keyed by (organizer, person, lower(company)); known fields are
  never replaced, blanks are filled, the greater confidence wins, `raw` is the newest;
- an affiliation without a company is added only when the person has none with the same
  (position, country_code, website), so re-running a job adds nothing.

Five statements per batch whatever its size. Concurrent batches touching the same person serialize
on that person's row (the upsert locks it), and rows are written in email order so two batches never
wait on each other in a cycle.
"""
import json
from dataclasses import dataclass, field

from django.db import connection

from persons.candidates import Candidate

ENRICHABLE = ("position", "country_code", "city", "website", "phone")


@dataclass
class UpsertCounters:
    persons_created: int = 0
    persons_updated: int = 0
    affiliations_created: int = 0
    affiliations_enriched: int = 0
    person_ids: dict = field(default_factory=dict, repr=False)  # email → person id

    def add(self, other):
        for name in ("persons_created", "persons_updated", "affiliations_created", "affiliations_enriched"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.person_ids.update(other.person_ids)

    def as_dict(self):
        return {
            "persons_created": self.persons_created,
            "persons_updated": self.persons_updated,
            "affiliations_created": self.affiliations_created,
            "affiliations_enriched": self.affiliations_enriched,
        }


def upsert_candidates(organizer_id, candidates, *, source_type, mining_job_id=None, source_ref=None):
    """Write `candidates` (normalizer Candidates) for one organizer. Call inside a transaction.

    An affiliation's mining job is the candidate's `extraction_meta["mining_job_id"]`, else `mining_job_id`.
    """
    counters = UpsertCounters()
    merged = _merge_by_email(candidates)
    if not merged:
        return counters
    emails = sorted(merged)
    with connection.cursor() as cursor:
        before = _existing_persons(cursor, organizer_id, emails)
        rows = _upsert_persons(cursor, organizer_id, [merged[email] for email in emails])
        for person_id, email, inserted in rows:
            counters.person_ids[email] = person_id
            if inserted:
                counters.persons_created += 1
            elif _fills_blank_name(before.get(email), merged[email]):
                counters.persons_updated += 1

        affiliations = _affiliation_rows(merged, counters.person_ids, source_ref)
        existing = _existing_affiliations(cursor, organizer_id, list(counters.person_ids.values()))
        with_company = [row for row in affiliations if row["company_name"]]
        without_company = [row for row in affiliations if not row["company_name"]]
        inserted = _upsert_company_affiliations(cursor, organizer_id, with_company, source_type, mining_job_id)
        for row in with_company:
            key = (row["person_id"], row["company_name"].lower())
            if inserted.get(key):
                counters.affiliations_created += 1
            elif _enriches(existing.get(key), row):
                counters.affiliations_enriched += 1
        counters.affiliations_created += _insert_companyless_affiliations(
            cursor, organizer_id, without_company, source_type, mining_job_id)
    return counters


def _merge_by_email(candidates):
    merged = {}
    for candidate in candidates:
        email = candidate.email.strip().lower()
        if email in merged:
            merged[email].merge(candidate)
        else:
            merged[email] = Candidate(email, candidate.first_name, candidate.last_name,
                                      list(candidate.affiliations), dict(candidate.extraction_meta))
    return merged


def _existing_persons(cursor, organizer_id, emails):
    cursor.execute(
        "SELECT lower(email), first_name, last_name FROM persons WHERE organizer_id = %s AND lower(email) = ANY(%s)",
        [organizer_id, emails],
    )
    return {email: (first, last) for email, first, last in cursor.fetchall()}


def _fills_blank_name(before, candidate):
    if before is None:
        return False
    first, last = before
    return bool((not first and candidate.first_name) or (not last and candidate.last_name))


def _upsert_persons(cursor, organizer_id, candidates):
    cursor.execute(
        """
        INSERT INTO persons (id, organizer_id, email, first_name, last_name, verification_status,
                             created_at, updated_at)
        SELECT gen_random_uuid(), %s, t.email, t.first_name, t.last_name, 'unknown', now(), now()
        FROM unnest(%s::text[], %s::text[], %s::text[]) WITH ORDINALITY AS t(email, first_name, last_name, n)
        ORDER BY t.n
        ON CONFLICT (organizer_id, lower(email)) DO UPDATE SET
            first_name = COALESCE(NULLIF(persons.first_name, ''), EXCLUDED.first_name),
            last_name = COALESCE(NULLIF(persons.last_name, ''), EXCLUDED.last_name),
            updated_at = now()
        RETURNING id, lower(email), (xmax = 0)
        """,
        [
            organizer_id,
            [c.email for c in candidates],
            [_cut(c.first_name, 255) for c in candidates],
            [_cut(c.last_name, 255) for c in candidates],
        ],
    )
    return cursor.fetchall()


def _affiliation_rows(merged, person_ids, default_source_ref):
    """One row per (person, company) — or per distinct companyless affiliation — with its data."""
    rows, seen = [], set()
    for email in sorted(merged):
        candidate = merged[email]
        for affiliation in candidate.affiliations:
            row = {
                "person_id": person_ids[email],
                "company_name": (affiliation.company_name or "")[:255] or None,
                "position": _cut(affiliation.position, 255),
                "country_code": affiliation.country_code,
                "city": _cut(affiliation.city, 255),
                "website": _cut(affiliation.website, 2048),
                "phone": _cut(affiliation.phone, 100),
                "confidence": None if affiliation.confidence is None else round(float(affiliation.confidence), 2),
                "source_ref": candidate.extraction_meta.get("source_url") or default_source_ref,
                "mining_job_id": candidate.extraction_meta.get("mining_job_id"),
                "raw": json.dumps({"extraction_meta": candidate.extraction_meta}, default=str),
            }
            if row["company_name"]:
                key = (row["person_id"], row["company_name"].lower())
            elif any(row[name] for name in ENRICHABLE):
                key = (row["person_id"], None, row["position"], row["country_code"], row["website"])
            else:
                continue  # an affiliation that says nothing is not worth a row
            if key in seen:
                continue
            seen.add(key)
            rows.append(row)
    return rows


def _cut(value, limit):
    return value[:limit] if value else None


def _existing_affiliations(cursor, organizer_id, person_ids):
    cursor.execute(
        """
        SELECT person_id, lower(company_name), position, country_code, city, website, phone, confidence
        FROM affiliations WHERE organizer_id = %s AND person_id = ANY(%s) AND company_name IS NOT NULL
        """,
        [organizer_id, person_ids],
    )
    return {
        (person_id, company): dict(zip((*ENRICHABLE, "confidence"), values))
        for person_id, company, *values in cursor.fetchall()
    }


def _enriches(before, row):
    if before is None:
        return False
    if any(not before[name] and row[name] for name in ENRICHABLE):
        return True
    return row["confidence"] is not None and (before["confidence"] is None or row["confidence"] > before["confidence"])


AFFILIATION_COLUMNS = ("person_id", "company_name", "position", "country_code", "city", "website", "phone",
                       "confidence", "source_ref", "raw", "mining_job_id")
UNNEST_AFFILIATIONS = """
    unnest(%s::uuid[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::numeric[],
           %s::text[], %s::text[], %s::uuid[]) WITH ORDINALITY
    AS t(person_id, company_name, position, country_code, city, website, phone, confidence, source_ref, raw,
         mining_job_id, n)
"""


def _columns(rows):
    return [[row[name] for row in rows] for name in AFFILIATION_COLUMNS]


def _upsert_company_affiliations(cursor, organizer_id, rows, source_type, mining_job_id):
    if not rows:
        return {}
    cursor.execute(
        f"""
        INSERT INTO affiliations (id, organizer_id, person_id, company_name, position, country_code, city,
                                  website, phone, source_type, source_ref, mining_job_id, confidence, raw,
                                  created_at)
        SELECT gen_random_uuid(), %s, t.person_id, t.company_name, t.position, t.country_code, t.city,
               t.website, t.phone, %s, t.source_ref, COALESCE(t.mining_job_id, %s::uuid), t.confidence,
               t.raw::jsonb, now()
        FROM {UNNEST_AFFILIATIONS}
        ORDER BY t.n
        ON CONFLICT (organizer_id, person_id, lower(company_name)) WHERE company_name IS NOT NULL DO UPDATE SET
            position = COALESCE(NULLIF(affiliations.position, ''), EXCLUDED.position),
            country_code = COALESCE(NULLIF(affiliations.country_code, ''), EXCLUDED.country_code),
            city = COALESCE(NULLIF(affiliations.city, ''), EXCLUDED.city),
            website = COALESCE(NULLIF(affiliations.website, ''), EXCLUDED.website),
            phone = COALESCE(NULLIF(affiliations.phone, ''), EXCLUDED.phone),
            confidence = GREATEST(affiliations.confidence, EXCLUDED.confidence),
            raw = COALESCE(EXCLUDED.raw, affiliations.raw)
        RETURNING person_id, lower(company_name), (xmax = 0)
        """,
        [organizer_id, source_type, mining_job_id, *_columns(rows)],
    )
    return {(person_id, company): inserted for person_id, company, inserted in cursor.fetchall()}


def _insert_companyless_affiliations(cursor, organizer_id, rows, source_type, mining_job_id):
    if not rows:
        return 0
    cursor.execute(
        f"""
        INSERT INTO affiliations (id, organizer_id, person_id, company_name, position, country_code, city,
                                  website, phone, source_type, source_ref, mining_job_id, confidence, raw,
                                  created_at)
        SELECT gen_random_uuid(), %s, t.person_id, NULL, t.position, t.country_code, t.city, t.website, t.phone,
               %s, t.source_ref, COALESCE(t.mining_job_id, %s::uuid), t.confidence, t.raw::jsonb, now()
        FROM {UNNEST_AFFILIATIONS}
        WHERE NOT EXISTS (
            SELECT 1 FROM affiliations a
            WHERE a.organizer_id = %s AND a.person_id = t.person_id AND a.company_name IS NULL
              AND a.position IS NOT DISTINCT FROM t.position
              AND a.country_code IS NOT DISTINCT FROM t.country_code
              AND a.website IS NOT DISTINCT FROM t.website
        )
        ORDER BY t.n
        """,
        [organizer_id, source_type, mining_job_id, *_columns(rows), organizer_id],
    )
    return cursor.rowcount
