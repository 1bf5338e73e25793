"""Every entry point of the services and selectors says what it takes and what it gives: each public
function of a `services*.py` or `selectors.py` module, and of the modules that act as services, has a
type hint on every parameter and on its return, and the hints resolve."""

import importlib
import inspect
import typing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("liffy", "persons", "campaigns", "mining", "legacy")
# modules that are services (or selectors) without the name
ACTING_AS_SERVICES = (
    "campaigns.analytics",
    "campaigns.backfill",
    "campaigns.lifecycle",
    "campaigns.resolve",
    "campaigns.senders",
    "campaigns.sending",
    "campaigns.templates",
    "campaigns.unsubscribe",
    "campaigns.webhook",
    "legacy.csv_import",
    "legacy.lists",
    "liffy.backfills",
    "mining.aggregation",
    "mining.backfill",
    "mining.imports",
    "mining.jobs",
    "mining.results",
    "persons.bulk",
    "persons.verification",
    "persons.zoho_push",
)


def service_modules():
    named = [
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for app in APPS
        for pattern in ("services*.py", "selectors.py")
        for path in (ROOT / app).glob(pattern)
    ]
    return sorted({*named, *ACTING_AS_SERVICES})


def entry_points(module):
    return [
        (name, inspect.unwrap(function))
        for name, function in vars(module).items()
        if inspect.isfunction(function) and not name.startswith("_") and function.__module__ == module.__name__
    ]


def test_the_services_and_selectors_are_found():
    modules = service_modules()
    assert {"liffy.services", "persons.services", "persons.selectors"} <= set(modules)
    assert all(entry_points(importlib.import_module(name)) for name in modules)


@pytest.mark.parametrize("module_name", service_modules())
def test_every_entry_point_has_type_hints(module_name):
    module = importlib.import_module(module_name)
    missing = []
    for name, function in entry_points(module):
        hints = typing.get_type_hints(function)  # raises when a hint does not resolve
        unhinted = [parameter for parameter in inspect.signature(function).parameters if parameter not in hints]
        if "return" not in hints:
            unhinted.append("return")
        if unhinted:
            missing.append(f"{name}: {', '.join(unhinted)}")
    assert not missing, f"{module_name} lacks type hints: {missing}"
