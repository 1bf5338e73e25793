"""Refusals at deploy time: with DEBUG off, the built-in development secret key is never used, and a
cache of one process's memory is pointed out. At any time: FIELD_ENCRYPTION_KEY holds only Fernet keys.

Settings import does not fail on it (tests, CI, `migrate` and the other commands run with DEBUG off
and that key), but `manage.py check --deploy` reports an error and the server (liffy/wsgi.py,
liffy/asgi.py, loaded by gunicorn and runserver) refuses to start.
"""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from liffy.encryption import invalid_field_keys

DEVELOPMENT_KEY_MESSAGE = (
    "DJANGO_SECRET_KEY is unset or the built-in development key while DJANGO_DEBUG is off: set a long random "
    "secret of this deployment's own."
)


def uses_development_secret_key():
    return not settings.DEBUG and settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY


@register(Tags.security, deploy=True)
def development_secret_key_check(app_configs, **kwargs):
    if uses_development_secret_key():
        return [
            Error(
                DEVELOPMENT_KEY_MESSAGE,
                hint='e.g. python -c "import secrets; print(secrets.token_urlsafe(50))"',
                id="liffy.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def shared_cache_check(app_configs, **kwargs):
    """The throttles count in the cache: in process memory, each web process keeps its own counts."""
    if settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache":
        return [
            Warning(
                "The cache is each process's own memory, so every web process counts the login, unsubscribe "
                "and webhook rates separately.",
                hint="Set REDIS_URL (or CACHE_URL, e.g. redis://redis.internal:6379/1) to share it.",
                id="liffy.W001",
            )
        ]
    return []


@register(Tags.security)
def field_encryption_keys_check(app_configs, **kwargs):
    return [
        Error(
            f"FIELD_ENCRYPTION_KEY: entry {position} is not a Fernet key (32 bytes, urlsafe base64).",
            hint='python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"',
            id="liffy.E002",
        )
        for position in invalid_field_keys()
    ]


def refuse_development_secret_key():
    """Called where the server starts: no request is ever served under the development key with DEBUG off."""
    if uses_development_secret_key():
        raise ImproperlyConfigured(DEVELOPMENT_KEY_MESSAGE)
