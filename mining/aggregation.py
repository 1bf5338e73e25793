"""The aggregation trigger: the only mining code that writes persons + affiliations.

Flags are read from the environment at call time:
- DISABLE_SHADOW_MODE=true: do nothing at all;
- AGGREGATION_PERSIST=true: write (persist mode); otherwise shadow mode only logs what it would write;
- SHADOW_MODE_VERBOSE=true: log every candidate in shadow mode (else up to 10 in full, beyond that a
  sample of 3).
Persist mode writes one transaction per batch; a failing batch is logged to the job and reported in
the counters, and never fails the mining job itself. A large job's candidates can be written by
several worker processes at once (`workers`), split by address.
"""

import logging
import os
from collections import Counter
from collections.abc import Iterable
from functools import partial
from typing import Any
from uuid import UUID

from django.db import transaction

from liffy.parallel import Outcome, run_parts, usable_workers
from mining.joblog import log_job
from mining.models import LogLevel, MiningJob
from persons.bulk import UpsertCounters, upsert_candidates
from persons.candidates import Candidate

logger = logging.getLogger("liffy.mining.aggregation")
BATCH_SIZE = 5000
SHADOW_FULL_LIMIT = 10
SHADOW_SAMPLE = 3
TRUE = {"1", "true", "yes", "on"}


def flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in TRUE


def aggregate(
    organizer_id: UUID | str,
    candidates: Iterable[Candidate],
    *,
    job: MiningJob | None = None,
    source_type: str = "mining",
    source_ref: str | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int = 1,
) -> dict[str, Any]:
    """Hand normalized candidates to persons + affiliations. Returns the counters (also logged to the job).

    `workers` > 1 splits the candidates by address into that many parts written by worker processes at
    once (an address is in one part only, so the parts never wait on each other's rows).
    """
    candidates = list(candidates)
    if flag("DISABLE_SHADOW_MODE"):
        return {"mode": "disabled", "candidates": len(candidates)}
    if not flag("AGGREGATION_PERSIST"):
        return _shadow(candidates, job)

    parts = _by_address(candidates, usable_workers(workers))
    write = partial(
        _write_part, parts, organizer_id, job, source_type=source_type, source_ref=source_ref, batch_size=batch_size
    )
    outcome = run_parts(write, [(number,) for number in range(len(parts))], workers=workers)
    result = {
        "mode": "persist",
        "candidates": len(candidates),
        **{name: outcome.counts[name] for name in UpsertCounters().as_dict()},
        "errors": outcome.errors,
    }
    if job:
        log_job(job, LogLevel.WARN if outcome.errors else LogLevel.SUCCESS, "Aggregation finished", **result)
    result["person_ids"] = outcome.ids
    return result


def _by_address(candidates, parts):
    if parts <= 1:
        return [candidates]
    split = [[] for _ in range(parts)]
    for candidate in candidates:
        split[hash(candidate.email.strip().lower()) % parts].append(candidate)
    return [part for part in split if part]


def _write_part(parts, organizer_id, job, part, progress, *, source_type, source_ref, batch_size):
    """One part's candidates in batches, each in its transaction; a failing batch is reported, not raised."""
    candidates, outcome = parts[part[0]], Outcome()
    where = f"part {part[0] + 1}, " if len(parts) > 1 else ""
    for start in range(0, len(candidates), batch_size):
        try:
            with transaction.atomic():
                counters = upsert_candidates(
                    organizer_id,
                    candidates[start : start + batch_size],
                    source_type=source_type,
                    mining_job_id=job.pk if job else None,
                    source_ref=source_ref,
                )
        except Exception as error:  # isolated: a bad batch must not fail the mining job
            logger.exception("aggregation batch failed")
            outcome.errors.append(f"{where}batch {start // batch_size + 1}: {error}")
            if job:
                log_job(
                    job, LogLevel.ERROR, "Aggregation batch failed", batch=start // batch_size + 1, error=str(error)
                )
            continue
        outcome.add(Outcome(Counter(counters.as_dict()), ids=counters.person_ids))
        progress(len(candidates[start : start + batch_size]))
    return outcome


def _shadow(candidates, job):
    verbose = flag("SHADOW_MODE_VERBOSE")
    shown = candidates if verbose or len(candidates) <= SHADOW_FULL_LIMIT else candidates[:SHADOW_SAMPLE]
    sample = [candidate.as_dict() for candidate in shown]
    for candidate in sample:
        logger.info("shadow aggregation candidate: %s", candidate)
    result = {
        "mode": "shadow",
        "candidates": len(candidates),
        "persons_created": 0,
        "persons_updated": 0,
        "affiliations_created": 0,
        "affiliations_enriched": 0,
        "errors": [],
    }
    if job:
        log_job(job, LogLevel.INFO, "Aggregation in shadow mode: nothing written", **result, logged=sample)
    return result
