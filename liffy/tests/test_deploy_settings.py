"""Production settings: the README's checklist passes `check --deploy`, HTTPS settings are secure by default
with debug off, and the development secret key is refused by the deploy checks and the server."""

import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.checks import Tags, run_checks
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parents[2]
SECURE_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
)


def readme_checklist():
    """{NAME: value} of the README's production settings checklist, placeholders filled with fresh secrets."""
    section = (ROOT / "README.md").read_text().split("### Production settings checklist", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    environment = dict(line.split("=", 1) for line in block.splitlines() if line.strip())

    def fill(name, value):
        secret = Fernet.generate_key().decode() if name == "FIELD_ENCRYPTION_KEY" else secrets.token_urlsafe(50)
        return re.sub(r"<[^>]+>", secret, value)

    return {name: fill(name, value) for name, value in environment.items()}


def settings_under(monkeypatch, **environment):
    """The settings module as it reads `environment` (on top of a clean one), without touching this process's."""
    for name in list(os.environ):
        if name.startswith("DJANGO_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABASE_URL", "postgres://liffy@db.invalid/liffy")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "liffy" / "settings.py"))


def test_the_readme_checklist_passes_check_deploy():
    checklist = readme_checklist()
    assert checklist["DJANGO_DEBUG"] == "false" and len(checklist["DJANGO_SECRET_KEY"]) >= 50
    environment = {
        name: value
        for name, value in os.environ.items()
        if name in ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")
    } | checklist
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    # Every issue, warnings included; the schema generator's own (drf_spectacular.*) belong to the API schema's tests.
    issues = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if re.match(r"\S*: \((?!drf_spectacular\.)[\w.]+\)", line)
    ]
    assert issues == [], "\n".join(issues)


def test_https_settings_are_secure_by_default_when_debug_is_off(monkeypatch):
    production = settings_under(monkeypatch, DJANGO_DEBUG="false")
    assert all(production[name] is True for name in SECURE_SETTINGS)
    assert production["SECURE_HSTS_SECONDS"] == 31_536_000
    assert production["SECURE_PROXY_SSL_HEADER"] is None
    assert (production["SECURE_CONTENT_TYPE_NOSNIFF"], production["X_FRAME_OPTIONS"]) == (True, "DENY")

    development = settings_under(monkeypatch, DJANGO_DEBUG="true")
    assert not any(development[name] for name in SECURE_SETTINGS) and development["SECURE_HSTS_SECONDS"] == 0


def test_each_https_setting_comes_from_the_environment(monkeypatch):
    chosen = settings_under(
        monkeypatch,
        DJANGO_DEBUG="false",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SECURE_HSTS_SECONDS="3600",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        DJANGO_SECURE_HSTS_PRELOAD="false",
        DJANGO_SESSION_COOKIE_SECURE="false",
        DJANGO_CSRF_COOKIE_SECURE="false",
        DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        TRUSTED_PROXY_COUNT="2",
    )
    assert not any(chosen[name] for name in SECURE_SETTINGS) and chosen["SECURE_HSTS_SECONDS"] == 3600
    assert chosen["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert chosen["TRUSTED_PROXY_COUNT"] == chosen["REST_FRAMEWORK"]["NUM_PROXIES"] == 2


def deploy_errors():
    return [
        issue.id for issue in run_checks(include_deployment_checks=True, tags=[Tags.security]) if issue.is_serious()
    ]


def test_check_deploy_refuses_the_development_key_when_debug_is_off(settings):
    settings.SECRET_KEY = settings.DEVELOPMENT_SECRET_KEY
    settings.DEBUG = False
    assert "liffy.E001" in deploy_errors()
    settings.DEBUG = True
    assert "liffy.E001" not in deploy_errors()
    settings.DEBUG = False
    settings.SECRET_KEY = secrets.token_urlsafe(50)
    assert "liffy.E001" not in deploy_errors()


def test_plain_checks_and_commands_still_run_with_the_development_key(settings):
    """Tests, CI's migrate and phase4_check run with debug off and the built-in key: only deploy checks object."""
    assert settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY and not settings.DEBUG
    assert [issue.id for issue in run_checks() if issue.is_serious()] == []


@pytest.mark.parametrize("module", ["liffy.wsgi", "liffy.asgi"])
def test_the_server_refuses_to_start_with_the_development_key(settings, module):
    settings.SECRET_KEY = settings.DEVELOPMENT_SECRET_KEY
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        runpy.run_module(module)
    settings.SECRET_KEY = secrets.token_urlsafe(50)
    assert runpy.run_module(module)["application"] is not None


@pytest.mark.django_db
def test_plain_http_is_redirected_and_https_behind_the_proxy_gets_hsts(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    redirected = client.get("/api/me")
    assert redirected.status_code == 301 and redirected["Location"] == "https://testserver/api/me"
    served = client.get("/api/me", HTTP_X_FORWARDED_PROTO="https")
    assert served.status_code == 401
    assert served["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_the_cache_is_the_deployments_redis_unless_cache_url_says_otherwise(monkeypatch):
    redis_backend = "django.core.cache.backends.redis.RedisCache"
    monkeypatch.delenv("CACHE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    alone = settings_under(monkeypatch)["CACHES"]["default"]
    assert alone["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"

    shared = settings_under(monkeypatch, REDIS_URL="redis://redis.internal:6379/0")["CACHES"]["default"]
    assert (shared["BACKEND"], shared["LOCATION"]) == (redis_backend, "redis://redis.internal:6379/0")

    own = settings_under(monkeypatch, REDIS_URL="redis://a:6379/0", CACHE_URL="rediss://cache:6380/1")
    assert (own["CACHES"]["default"]["BACKEND"], own["CACHES"]["default"]["LOCATION"]) == (
        redis_backend,
        "rediss://cache:6380/1",
    )


def test_check_deploy_warns_of_a_cache_in_process_memory(settings):
    def warnings():
        return [issue.id for issue in run_checks(include_deployment_checks=True, tags=[Tags.security])]

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert "liffy.W001" in warnings()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    assert "liffy.W001" not in warnings()
