"""gunicorn's settings for the Procfile's `web`, all from the environment (README "Deployment").

gunicorn reads this file from the working directory by itself. Threads make a worker process serve
requests while others wait on the database; processes use the cores. Logs go through the project's
LOGGING (plain or LOG_FORMAT=json), the access line included.
"""

import os

from liffy.logs import logging_config

bind = os.environ.get("WEB_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))  # a request still running after this is killed
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT", "25"))  # SIGTERM: finish requests this long
keepalive = int(os.environ.get("WEB_KEEPALIVE", "5"))
# Recycle a worker process after this many requests (0: never), with jitter so they do not all restart at once.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
# Addresses of the proxies whose X-Forwarded-* headers gunicorn may trust (comma-separated).
forwarded_allow_ips = os.environ.get("WEB_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

logconfig_dict = logging_config(os.environ.get("LOG_LEVEL", "INFO").upper(), os.environ.get("LOG_FORMAT", "plain"))
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s'
