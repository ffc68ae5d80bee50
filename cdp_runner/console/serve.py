"""What `cdp serve` prints when it starts."""

from __future__ import annotations

from ..serve.snapshot import SnapshotHolder
from .terminal import console


def print_serving(holder: SnapshotHolder, url: str) -> None:
    status = holder.status()
    if status["ready"]:
        console.print(
            f"cdp serve: {url}  ({status['customers']:,} customers copied from {holder.warehouse} in "
            f"{status['copy_seconds']} s; checked for new builds every {holder.refresh_seconds:g} s; Ctrl+C stops)"
        )
    else:
        console.print(
            f"cdp serve: {url}  (no data yet: {status['last_error']}; retrying every "
            f"{holder.refresh_seconds:g} s; Ctrl+C stops)"
        )
    console.print("access log on stderr: route, status and time per request (no identifiers, no query strings)")
