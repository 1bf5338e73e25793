"""Celery queues by workload, so each kind of background work scales on workers of its own.

Every task is routed to the queue of its workload, named `<prefix>.<workload>` where the prefix is
CELERY_TASK_DEFAULT_QUEUE: deployments (or test runs) that share a broker use distinct prefixes and
never take each other's tasks. The prefix alone is the default queue, for any task without a route.

| workload | tasks | nature |
|---|---|---|
| sending | campaign sending | I/O: SendGrid calls at the organizer's rate |
| imports | CSV import into a list, import-all of a mining job | CPU and database, minutes for large files |
| mining | mining jobs (page fetches, table files) | I/O (polite per-host delays) and CPU |
| verification | the ZeroBounce queue (every 15 s from beat) | I/O |
| maintenance | beat's housekeeping: scheduled campaigns, dead workers' claims, stale mining jobs | short |

A worker consumes every queue unless WORKER_QUEUES names the workloads it should take
(`WORKER_QUEUES=sending`); the full queue names also work with `celery worker -Q`.
No Django import here: settings, the Celery app and the test fixtures all use it.
"""

WORKLOADS = {
    "sending": ("campaigns.tasks.send_campaign_task",),
    "imports": (
        "legacy.tasks.import_csv_task",
        "legacy.tasks.finish_csv_import_task",
        "mining.tasks.import_all_task",
        "mining.tasks.finish_import_all_task",
    ),
    "mining": ("mining.tasks.run_mining_job_task",),
    "verification": ("persons.tasks.verify_pending_task",),
    "maintenance": (
        "campaigns.tasks.dispatch_campaigns_task",
        "mining.tasks.fail_stale_mining_jobs_task",
        "liffy.parallel.run_part_task",
    ),  # a part of a bulk run: sent to its run's workload queue
}


def queue_name(prefix: str, workload: str) -> str:
    if workload not in WORKLOADS:
        raise ValueError(f"Unknown workload {workload!r}: choose from {', '.join(WORKLOADS)}.")
    return f"{prefix}.{workload}"


def queue_names(prefix: str, workloads=None) -> list[str]:
    """Queues a worker consumes: those of `workloads`, or every workload's plus the default queue."""
    if workloads:
        return [queue_name(prefix, workload) for workload in workloads]
    return [prefix, *(queue_name(prefix, workload) for workload in WORKLOADS)]


def task_routes(prefix: str) -> dict[str, dict[str, str]]:
    """CELERY_TASK_ROUTES: each task to its workload's queue."""
    return {task: {"queue": queue_name(prefix, workload)} for workload, tasks in WORKLOADS.items() for task in tasks}
