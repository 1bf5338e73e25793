"""Calls to outside services: the one retry policy of the SendGrid, ZeroBounce and Zoho client modules."""

import logging
import time

import requests

from liffy.errors import OutsideServiceError

logger = logging.getLogger(__name__)
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER_SECONDS = 60


class Unreachable(OutsideServiceError):
    """No answer at all (timeouts, connection errors) after every attempt."""


def request_with_retries(session, method, url, *, service, timeout, max_retries, backoff, **kwargs):
    """The response to `method url`; 429, 5xx, timeouts and connection errors are tried again up to
    `max_retries` times, waiting `backoff` × 2^attempt seconds or the server's Retry-After (≤ 60 s).

    The last response is returned even when it is still a 429 or 5xx: each client words that error.
    """
    attempt = 0
    while True:
        try:
            response = session.request(method, url, timeout=timeout, **kwargs)
        except (requests.Timeout, requests.ConnectionError) as exc:
            if attempt >= max_retries:
                raise Unreachable(f"{service} unreachable: {exc.__class__.__name__}") from exc
            retry_after = None
        else:
            if response.status_code not in RETRYABLE_STATUSES or attempt >= max_retries:
                return response
            retry_after = response.headers.get("Retry-After")
        delay = backoff * 2**attempt
        if retry_after and retry_after.isdigit():
            delay = min(int(retry_after), MAX_RETRY_AFTER_SECONDS)
        logger.info("%s retry %d in %.2fs", service, attempt + 1, delay)
        time.sleep(delay)
        attempt += 1
