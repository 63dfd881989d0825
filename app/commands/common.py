"""Helpers the subcommands share: reading a forecast file and printing JSON."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from engine.ingest import IngestResult, ingest
from engine.parsers.detect import FORMATS


def add_forecast_options(p: argparse.ArgumentParser) -> None:
    """The options every command that reads a forecast file takes."""
    p.add_argument("--format", default="auto", choices=("auto", *FORMATS), help="force the input shape")
    p.add_argument("--tenant", help="tenant code (CSV, text and export files carry none)")
    p.add_argument("--site", help="site code (CSV, text and export files carry none)")
    p.add_argument("--anchor", help="week anchor date YYYY-MM-DD, a Monday")


def read_forecast(path: str, args: argparse.Namespace) -> tuple[bytes | None, IngestResult]:
    """Read and ingest FILE; an unreadable path is a FAIL report, never an exception."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        from engine.contract import failed_report

        reason = f"cannot read {path}: {exc.strerror or exc}"
        return None, IngestResult(failed_report(reason), None, None)
    anchor: date | str | None = args.anchor
    return data, ingest(data, fmt=args.format, tenant=args.tenant, site=args.site, anchor=anchor)


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
