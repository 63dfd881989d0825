"""`solvereign validate FILE`: the import contract's verdict, nothing stored.

Exit codes: 0 PASS, 1 WARN, 2 FAIL (`--strict` turns WARN into FAIL); any error exits 2 too.
"""

from __future__ import annotations

import argparse

from app.commands.common import add_forecast_options, nothing_stored_exits_2, print_json, read_forecast, store_session
from app.remote.select import remote_from_args
from app.reports import render_report
from app.i18n import N_, _

EXIT_BY_STATUS = {"PASS": 0, "WARN": 1, "FAIL": 2}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help=_("check a forecast file against the import contract"))
    p.add_argument("file", metavar="FILE")
    add_forecast_options(p)
    p.add_argument("--strict", action="store_true", help=_("treat warnings as failures"))
    p.add_argument("--json", action="store_true", help=_("print one JSON object"))
    p.set_defaults(func=nothing_stored_exits_2(run))


SOURCE_WORDS = {"file": N_("the file"), "option": N_("option"), "default": N_("your user in the store")}
FIELD_WORDS = (("tenant_code", N_("tenant"), "--tenant"), ("site_code", N_("site"), "--site"), ("week_anchor_date", N_("week"), "--anchor"))


def run(args: argparse.Namespace) -> int:
    """Without --tenant/--site, a CSV, text or export file takes them from the store when there is
    one (your tenant, your only site), as `import` does; a --tenant must be yours. In remote mode the
    server's status names them; the file itself is checked here, nothing is sent."""
    from app.ops.tenancy import check_tenant

    remote = remote_from_args(args)
    if remote is not None:  # the key's user, as the server knows them
        view = remote.status()
        tenant, sites = view.tenant, view.sites
    else:
        s = store_session(args)
        tenant, sites = (s.user.tenant, s.user.sites) if s is not None else (None, [])
    defaults: dict[str, str | None] = {}
    if tenant is not None:
        check_tenant(tenant, args.tenant)
        defaults = {"default_tenant": tenant, "default_site": sites[0] if len(sites) == 1 else None}
    _data, result = read_forecast(args.file, args, defaults)
    report = result.report
    status = "FAIL" if args.strict and report.status == "WARN" else report.status
    if args.json:
        doc = report.model_dump(mode="json")
        doc["status"] = status
        doc["strict"] = bool(args.strict)
        doc["sources"] = {word: result.sources.get(name, "missing") for name, word, _option in FIELD_WORDS}
        print_json(doc)
    else:
        print(render_report(report, args.file, status))
        if result.forecast is not None:
            print("  " + _sources_line(result.sources, result.forecast))
    return EXIT_BY_STATUS[status]


def _sources_line(sources: dict[str, str], forecast) -> str:
    """Where each of tenant, site and week came from: "tenant acme (your user in the store) · …"."""
    values = {"tenant_code": forecast.tenant_code, "site_code": forecast.site_code, "week_anchor_date": forecast.week_anchor_date}
    parts = []
    for name, word, option in FIELD_WORDS:
        source = sources.get(name, "missing")
        said = option if source == "option" else _(SOURCE_WORDS.get(source, source))
        parts.append(f"{_(word)} {values[name]} ({said})")
    return _("from:") + " " + " · ".join(parts)

