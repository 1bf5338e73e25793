"""Miners as plugins, and the orchestrator that runs every applicable one and merges their output by email."""

from mining.miners.base import BLOCKED, FAILED, PARTIAL, SUCCESS, MinerInput, MinerOutput
from mining.miners.html import HtmlPageMiner
from mining.miners.table import TableFileMiner

MINERS = [HtmlPageMiner(), TableFileMiner()]


def run_miners(source: MinerInput, should_continue=lambda: True, miners=None):
    """Run every miner that applies; returns (merged output dict, the individual MinerOutputs)."""
    outputs = [miner.mine(source, should_continue) for miner in (miners or MINERS) if miner.applies_to(source)]
    if not outputs:
        return None, []
    blocks = [
        block | {"miner_name": block.get("miner_name", out.miner_name)} for out in outputs for block in out.blocks
    ]
    statuses = {out.status for out in outputs}
    if statuses == {SUCCESS}:
        status = SUCCESS
    elif SUCCESS in statuses or PARTIAL in statuses:
        status = PARTIAL
    elif statuses == {BLOCKED}:
        status = BLOCKED
    else:
        status = FAILED
    merged = {
        "status": status,
        "raw": {"blocks": blocks, "links": [link for out in outputs for link in out.links]},
        "meta": {
            "miner_name": "+".join(out.miner_name for out in outputs),
            "source_url": outputs[0].source_url,
            "page_title": next((out.page_title for out in outputs if out.page_title), None),
            "confidence_hint": max((out.confidence_hint or 0 for out in outputs), default=None),
            "error": "; ".join(out.error for out in outputs if out.error) or None,
        },
    }
    return merged, outputs


__all__ = ["BLOCKED", "FAILED", "MINERS", "PARTIAL", "SUCCESS", "MinerInput", "MinerOutput", "run_miners"]
