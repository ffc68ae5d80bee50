"""Running the app: the first snapshot, the refresh thread and uvicorn (one process: the snapshot lives in it)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from .access import check_binding, load_tokens
from .app import create_app
from .snapshot import SnapshotHolder


def serve(
    warehouse: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    tokens_file: Path | None = None,
    refresh_seconds: float = 30.0,
    on_ready=None,
) -> None:
    """Serve until interrupted; `on_ready(holder, url)` is called once the first snapshot was tried."""
    import uvicorn

    tokens = load_tokens(tokens_file) if tokens_file else None
    check_binding(host, tokens)
    holder = SnapshotHolder(warehouse, refresh_seconds=refresh_seconds)
    holder.refresh()
    holder.start()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    access = logging.getLogger("cdp.serve.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    access.propagate = False
    if on_ready is not None:
        on_ready(holder, f"http://{host if ':' not in host else f'[{host}]'}:{port}")
    # uvicorn's own access log would print every path with its query string: the app logs requests itself
    uvicorn.run(
        create_app(holder, tokens=tokens),
        host=host,
        port=port,
        access_log=False,
        log_level="warning",
        server_header=False,
    )
