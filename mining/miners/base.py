"""The miner interface: input + config → raw output. Miners never touch the database or the organizer."""

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

SUCCESS, PARTIAL, BLOCKED, FAILED = "success", "partial", "blocked", "failed"


@dataclass
class MinerInput:
    """What a job gives its miners: a URL or an uploaded file, and the job's config."""

    url: str | None = None
    file_name: str | None = None
    file_data: bytes | None = None
    config: dict = field(default_factory=dict)

    def option(self, name, default):
        value = self.config.get(name)
        return default if value is None else value


@dataclass
class MinerOutput:
    """Raw output: status, raw {text, html, blocks[], links[]}, meta {miner_name, source_url, …}.

    `events` are the steps worth a line in the job log ({level, message, details}).
    """

    miner_name: str
    source_url: str | None = None
    status: str = SUCCESS
    blocks: list = field(default_factory=list)
    links: list = field(default_factory=list)
    text: str = ""
    page_title: str | None = None
    confidence_hint: float | None = None
    error: str | None = None
    events: list = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic, repr=False)

    def event(self, level, message, **details):
        self.events.append({"level": level, "message": message, "details": details or None})

    def as_dict(self):
        return {
            "status": self.status,
            "raw": {"text": self.text, "html": None, "blocks": self.blocks, "links": self.links},
            "meta": {
                "miner_name": self.miner_name,
                "source_url": self.source_url,
                "page_title": self.page_title,
                "duration_ms": int((time.monotonic() - self.started) * 1000),
                "confidence_hint": self.confidence_hint,
                "error": self.error,
                "stats": self.stats,
            },
        }


class Miner(ABC):
    """A plugin: `applies_to(source)` says whether it can read the input; `mine()` returns a MinerOutput."""

    name = "miner"

    @abstractmethod
    def applies_to(self, source: MinerInput) -> bool:
        """Whether this miner can read `source`."""

    @abstractmethod
    def mine(self, source: MinerInput, should_continue=lambda: True) -> MinerOutput:
        """Read `source`; stop early (status partial) as soon as `should_continue()` is false."""
