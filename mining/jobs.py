"""Mining job lifecycle: create, run, cancel, retry, and the recovery of jobs that stopped responding.

Status moves pending → running → completed | failed | cancelled through conditional updates, so two
workers (or a worker and a cancel request) can never both win. No transaction is held while pages are
fetched.
"""

from datetime import timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from liffy import tables
from liffy.errors import Conflict, InvalidInput
from liffy.models import Organizer
from liffy.netguard import RefusedURL, check_url
from mining.aggregation import aggregate
from mining.joblog import log_job
from mining.miners import BLOCKED, FAILED, MinerInput, run_miners
from mining.models import LogLevel, MiningJob, MiningJobLog
from mining.normalize import normalize_output
from mining.results import result_row_from_candidate, store_results

Status = MiningJob.Status
FILE_TYPES = {
    ".csv": MiningJob.Type.CSV,
    ".txt": MiningJob.Type.CSV,
    ".xlsx": MiningJob.Type.EXCEL,
    ".xlsm": MiningJob.Type.EXCEL,
}
CONFIG_LIMITS = {"max_pages": (1, 200), "page_delay": (0, 60), "timeout": (1, 120), "max_bytes": (10_000, 50_000_000)}
DEFAULT_CONFIG = {"max_pages": 20, "page_delay": 2, "follow_contact_pages": True}


def validate_config(config: Any) -> dict[str, Any]:
    if config is None:
        return dict(DEFAULT_CONFIG)
    if not isinstance(config, dict):
        raise InvalidInput({"config": "must be an object"})
    errors = {}
    unknown = set(config) - set(CONFIG_LIMITS) - {"follow_contact_pages"}
    if unknown:
        errors["config"] = f"unknown options: {', '.join(sorted(unknown))}"
    for name, (low, high) in CONFIG_LIMITS.items():
        value = config.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high
        ):
            errors[f"config.{name}"] = f"must be a number from {low} to {high}"
    if "follow_contact_pages" in config and not isinstance(config["follow_contact_pages"], bool):
        errors["config.follow_contact_pages"] = "must be true or false"
    if errors:
        raise InvalidInput(errors)
    return DEFAULT_CONFIG | config


def read_upload(file: UploadedFile) -> tuple[str, bytes]:
    """(job type, bytes) of an uploaded table file, or InvalidInput naming the problem: its type, its
    size, or what makes it unreadable (the whole file is read here, so a bad one never becomes a job)."""
    suffix = "." + file.name.rsplit(".", 1)[-1].lower() if "." in file.name else ""
    if suffix not in FILE_TYPES:
        raise InvalidInput({"file": "must be a .csv or .xlsx file"})
    data, _rows = tables.read_upload(file)
    return FILE_TYPES[suffix], data


def validate_url(url: str) -> str:
    """The URL, or InvalidInput when the URL alone shows it must not be fetched (liffy.netguard):
    not http(s), credentials in it, a local name or a non-public IP address. Names that resolve to such
    addresses are refused when the job runs, with the reason in its log."""
    try:
        check_url(url)
    except RefusedURL as refusal:
        raise InvalidInput({"url": f"Cannot be mined: {refusal}."}) from refusal
    return url


def create_mining_job(
    organizer: Organizer,
    *,
    url: str | None = None,
    file: UploadedFile | None = None,
    name: str | None = None,
    config: Any = None,
    strategy: str | None = None,
) -> MiningJob:
    """A pending job for a URL or an uploaded table file, queued to run once the transaction commits."""
    from mining.tasks import run_mining_job_task

    config = validate_config(config)
    if bool(url) == bool(file):
        raise InvalidInput({"input": "give either a url or a file"})
    values = {"organizer": organizer, "name": name, "config": config, "strategy": strategy}
    if url:
        values |= {"type": MiningJob.Type.URL, "input": validate_url(url)}
    else:
        job_type, data = read_upload(file)
        values |= {"type": job_type, "input": file.name, "file_data": data}
    job = MiningJob.objects.create(**values)
    log_job(job, LogLevel.INFO, "Job created", type=job.type, input=job.input)
    transaction.on_commit(lambda: run_mining_job_task.delay(str(job.pk)))
    return job


def _claim(job_id):
    """pending → running for exactly one caller."""
    updated = MiningJob.objects.filter(pk=job_id, status=Status.PENDING).update(
        status=Status.RUNNING, started_at=timezone.now(), completed_at=None, error=None, progress=0
    )
    return MiningJob.objects.get(pk=job_id) if updated else None


def _is_cancelled(job_id):
    return MiningJob.objects.filter(pk=job_id, status=Status.CANCELLED).exists()


def run_mining_job(job_id: UUID | str) -> MiningJob | None:
    """Run a pending job to its end. Idempotent: a job that is not pending is left alone."""
    job = _claim(job_id)
    if job is None:
        return None
    log_job(job, LogLevel.INFO, "Job started")
    source = MinerInput(
        url=job.input if job.type == MiningJob.Type.URL else None,
        file_name=job.input,
        file_data=bytes(job.file_data) if job.file_data else None,
        config=job.config or {},
    )
    try:
        merged, outputs = run_miners(source, should_continue=lambda: not _is_cancelled(job.pk))
    except Exception as error:  # noqa: BLE001 - whatever a miner raises ends this job, not the worker
        return _fail(job, f"Mining failed: {error.__class__.__name__}: {error}")
    MiningJobLog.objects.bulk_create(
        MiningJobLog(job=job, level=event["level"], message=event["message"], details=event["details"])
        for output in outputs
        for event in output.events
    )
    if merged is None:
        return _fail(job, "No miner can read this input.")
    if merged["status"] in (FAILED, BLOCKED):
        return _fail(job, merged["meta"]["error"] or "Nothing could be read.")

    candidates, rejected = normalize_output(merged)
    stored = store_results(job, [result_row_from_candidate(c, job.input) for c in candidates])
    try:
        aggregation = aggregate(job.organizer_id, candidates, job=job)
    except Exception as error:  # noqa: BLE001 - aggregation never fails the mining job
        log_job(job, LogLevel.ERROR, "Aggregation failed", error=str(error))
        aggregation = {"mode": "error", "errors": [str(error)]}
    aggregation.pop("person_ids", None)
    emails_raw = sum(len(block["emails"]) for block in merged["raw"]["blocks"])
    stats = {
        "miner_status": merged["status"],
        "miners": merged["meta"]["miner_name"],
        "candidates": len(candidates),
        "results_stored": stored,
        "emails_rejected": rejected,
        "aggregation": aggregation,
        "page_title": merged["meta"]["page_title"],
        **{f"{o.miner_name}_stats": o.stats for o in outputs},
    }
    finished = MiningJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(
        status=Status.COMPLETED,
        completed_at=timezone.now(),
        progress=100,
        total_found=len(candidates),
        total_emails_raw=emails_raw,
        stats=stats,
    )
    if finished:
        log_job(job, LogLevel.SUCCESS, "Job completed", contacts=len(candidates), results_stored=stored)
    else:
        log_job(job, LogLevel.WARN, "Job was cancelled while running; its results are kept", contacts=len(candidates))
    job.refresh_from_db()
    return job


def _fail(job, message):
    MiningJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(
        status=Status.FAILED, error=message, completed_at=timezone.now()
    )
    log_job(job, LogLevel.ERROR, message)
    job.refresh_from_db()
    return job


def cancel_mining_job(job: MiningJob) -> MiningJob:
    updated = MiningJob.objects.filter(pk=job.pk, status__in=[Status.PENDING, Status.RUNNING]).update(
        status=Status.CANCELLED, completed_at=timezone.now()
    )
    job.refresh_from_db()
    if not updated:
        raise Conflict(f"A {job.status} job cannot be cancelled.")
    log_job(job, LogLevel.WARN, "Job cancelled")
    return job


def retry_mining_job(job: MiningJob) -> MiningJob:
    """A failed or cancelled job runs again; results it already stored are not stored twice."""
    from mining.tasks import run_mining_job_task

    updated = MiningJob.objects.filter(pk=job.pk, status__in=[Status.FAILED, Status.CANCELLED]).update(
        status=Status.PENDING, error=None, completed_at=None, started_at=None, progress=0
    )
    job.refresh_from_db()
    if not updated:
        raise Conflict(f"Only failed or cancelled jobs can be retried; this one is {job.status}.")
    log_job(job, LogLevel.INFO, "Job queued again")
    transaction.on_commit(lambda: run_mining_job_task.delay(str(job.pk)))
    return job


def fail_stale_jobs(stale_after: timedelta | None = None) -> int:
    """Jobs `running` for longer than `stale_after` (MINING_JOB_TIMEOUT_MINUTES) are marked failed, with a
    log line saying why."""
    stale_after = stale_after or timedelta(minutes=settings.MINING_JOB_TIMEOUT_MINUTES)
    cutoff = timezone.now() - stale_after
    message = f"Stopped responding: running for more than {int(stale_after.total_seconds() // 60)} minutes."
    with transaction.atomic():
        stale = list(
            MiningJob.objects.select_for_update(skip_locked=True)
            .filter(status=Status.RUNNING, started_at__lt=cutoff)
            .only("pk")
        )
        MiningJob.objects.filter(pk__in=[job.pk for job in stale], status=Status.RUNNING).update(
            status=Status.FAILED, error=message, completed_at=timezone.now()
        )
        MiningJobLog.objects.bulk_create(MiningJobLog(job=job, level=LogLevel.ERROR, message=message) for job in stale)
    return len(stale)


PUSH_STATUSES = {Status.RUNNING, Status.COMPLETED, Status.FAILED}


def push_results(job: MiningJob, results: Any, status: str | None = None) -> dict[str, Any]:
    """Results from an external miner: valid rows stored (once), normalized and aggregated; bad rows reported."""
    from django.db.models import F

    from mining.results import candidates_from_rows, validate_pushed_results

    if not isinstance(results, list):
        raise InvalidInput({"results": "must be a list"})
    if status is not None and status not in PUSH_STATUSES:
        raise InvalidInput({"status": f"must be one of {', '.join(sorted(PUSH_STATUSES))}"})
    if job.status == Status.CANCELLED:
        raise Conflict("The job is cancelled: it takes no more results.")
    batch = validate_pushed_results(results, job.input)
    stored = store_results(job, batch.rows)
    aggregation = aggregate(job.organizer_id, candidates_from_rows(batch.rows, "push"), job=job) if batch.rows else {}
    aggregation.pop("person_ids", None)
    now = timezone.now()
    changes = {"total_found": F("total_found") + stored, "total_emails_raw": F("total_emails_raw") + batch.emails_raw}
    if status:
        changes["status"] = status
        changes["started_at"] = job.started_at or now
        if status != Status.RUNNING:
            changes["completed_at"] = now
    MiningJob.objects.filter(pk=job.pk).update(**changes)
    log_job(
        job,
        LogLevel.INFO,
        "Results pushed",
        received=len(results),
        stored=stored,
        rejected=len(batch.rejected),
        status=status,
    )
    job.refresh_from_db()
    return {
        "received": len(results),
        "accepted": len(batch.rows),
        "stored": stored,
        "duplicates": len(batch.rows) - stored,
        "rejected": batch.rejected,
        "aggregation": aggregation,
        "job_status": job.status,
    }
