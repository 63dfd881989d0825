"""Run the app under uvicorn, owning the store (the marker next to it) for as long as it serves."""

from __future__ import annotations

import logging
from pathlib import Path

import uvicorn

from app.ops import store_owner
from app.server.app import create_app
from engine.clock import Clock


def serve(db_path: Path, clock: Clock, *, host: str, port: int, workers: int | None = None, jobs_every: float = 30.0) -> None:
    url = f"http://{host}:{port}"
    store_owner.claim(db_path, url)
    try:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
        app = create_app(db_path, clock, workers=workers, jobs_every=jobs_every, on_stop=lambda: store_owner.release(db_path))
        config = uvicorn.Config(app, host=host, port=port, log_level="info",
                                access_log=True, timeout_graceful_shutdown=10)
        uvicorn.Server(config).run()
    finally:  # a failed start (port taken) ends here too
        store_owner.release(db_path)
