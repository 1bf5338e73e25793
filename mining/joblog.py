"""The step log of a mining job (`mining_job_logs`), mirrored to the Python log."""

import logging

from mining.models import LogLevel, MiningJobLog

logger = logging.getLogger("liffy.mining")
PYTHON_LEVELS = {
    LogLevel.DEBUG: logging.DEBUG,
    LogLevel.INFO: logging.INFO,
    LogLevel.WARN: logging.WARNING,
    LogLevel.ERROR: logging.ERROR,
    LogLevel.SUCCESS: logging.INFO,
}


def log_job(job, level, message, **details):
    logger.log(PYTHON_LEVELS[level], "job %s: %s", job.pk, message, extra={"details": details} if details else None)
    return MiningJobLog.objects.create(job=job, level=level, message=message, details=details or None)
