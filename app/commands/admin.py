"""`init`, `users`, `sites`, `kill-switch`: setting up and running a store (platform_admin)."""

from __future__ import annotations

import argparse
import sys

from app.reports import clock_override, fmt_when
from app.tables import Column, print_table
from app.commands.common import add_json, add_reason, clock_from_args, db_path_from_args, print_json, session_from_args
from app.ops import admin
from app.ops.text import printable
from app.remote.select import remote_from_args
from app.settings import os_login
from app.i18n import N_, _


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help=_("create the store; you become platform_admin of the tenant"))
    p.add_argument("--tenant", required=True)
    p.add_argument("--site", required=True)
    p.add_argument("--name", default="", help=_("your display name"))
    p.add_argument("--admin", metavar="LOGIN", help=_("a new tenant's first platform_admin (an admin of this store creates it)"))
    add_json(p)
    p.set_defaults(func=run_init)

    users = sub.add_parser("users", help=_("add, list or remove users (platform_admin)"))
    us = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = us.add_parser("add", help=_("add or update a user"))
    add.add_argument("login")
    add.add_argument("--role", required=True, choices=admin.ROLES)
    add.add_argument("--tenant", required=True)
    add.add_argument("--sites", required=True, help=_("comma-separated site codes"))
    add.add_argument("--name", default="")
    add.add_argument("--email", default="")
    add_json(add)
    add.set_defaults(func=run_users_add)
    ls = us.add_parser("list", help=_("users of your tenant and sites"))
    add_json(ls)
    ls.set_defaults(func=run_users_list)
    rm = us.add_parser("remove", help=_("deactivate a user"))
    rm.add_argument("login")
    rm.set_defaults(func=run_users_remove)
    key = us.add_parser("key", help=_("create an API key for the HTTP server (shown once, stored hashed)"))
    key.add_argument("login")
    key.set_defaults(func=run_users_key)

    sites = sub.add_parser("sites", help=_("site gate: enable (publish/lock) or disable (shadow mode); list"))
    ss = sites.add_subparsers(dest="sites_command", metavar="ACTION", required=True)
    for action in ("enable", "disable"):
        sp = ss.add_parser(action, help=f"{action} publish/lock on a site")
        sp.add_argument("site")
        add_reason(sp, required=False)
        sp.set_defaults(func=run_sites_set, enabled=action == "enable")
    sl = ss.add_parser("list", help=_("sites and their gates"))
    add_json(sl)
    sl.set_defaults(func=run_sites_list)

    ks = sub.add_parser("kill-switch", help=_("refuse (on) or allow (off) publish and lock for the tenant"))
    ks.add_argument("state", choices=("on", "off"))
    add_reason(ks)
    ks.set_defaults(func=run_kill_switch)


def run_init(args: argparse.Namespace) -> int:
    remote = remote_from_args(args)
    if remote is not None:
        path: object = remote.url
        user = remote.init(args.tenant, args.site, name=args.name, admin=args.admin)
    else:
        path = db_path_from_args(args)
        user = admin.init_store(path, clock_from_args(args), os_login(), args.tenant, args.site, name=args.name, admin=args.admin)
    if args.json:
        print_json({"store": str(path), "user": user})
    else:
        print(_("store {path} ready: {login} is platform_admin of tenant {tenant} (sites {items})").format(path=path, login=user.login, tenant=user.tenant, items=', '.join(user.sites)))
    return 0


def run_users_add(args: argparse.Namespace) -> int:
    sites = [x.strip() for x in args.sites.split(",") if x.strip()]
    kw = dict(role=args.role, tenant=args.tenant, sites=sites, name=args.name, email=args.email)
    remote = remote_from_args(args)
    user = remote.add_user(args.login, **kw) if remote else admin.add_user(session_from_args(args), args.login, **kw)  # type: ignore[arg-type]
    if args.json:
        print_json(user)
    else:
        print(_("user {login}: {role} of {tenant} at {items}").format(login=user.login, role=user.role, tenant=user.tenant, items=', '.join(user.sites)))
    return 0


def run_users_list(args: argparse.Namespace) -> int:
    remote = remote_from_args(args)
    users = remote.users() if remote else admin.list_users(session_from_args(args))
    if args.json:
        print_json({"users": users})
        return 0
    columns = [Column(N_("login")), Column(N_("role")), Column(N_("sites")), Column(N_("active")), Column(N_("name"), free=True)]
    print_table(columns, ((u.login, u.role, ",".join(u.sites), "yes" if u.active else "no", printable(u.name)) for u in users))
    return 0


def run_users_key(args: argparse.Namespace) -> int:
    from app.ops.api_keys import create_key

    remote = remote_from_args(args)
    key = remote.create_key(args.login) if remote else create_key(session_from_args(args), args.login)
    print(_("API key for {login} (shown once; send it as X-API-Key):").format(login=args.login), file=sys.stderr)
    print(key)
    return 0


def run_users_remove(args: argparse.Namespace) -> int:
    remote = remote_from_args(args)
    user = remote.remove_user(args.login) if remote else admin.remove_user(session_from_args(args), args.login)
    print(_("user {login} deactivated").format(login=user.login))
    return 0


def run_sites_set(args: argparse.Namespace) -> int:
    remote = remote_from_args(args)
    site = (remote.set_site(args.site, args.enabled, args.reason) if remote
            else admin.set_site(session_from_args(args), args.site, args.enabled, args.reason))
    print(_("site {code} enabled for publish and lock").format(code=site.code) if site.enabled
          else _("site {code} in shadow mode (solve and review only)").format(code=site.code))
    return 0


def run_sites_list(args: argparse.Namespace) -> int:
    remote = remote_from_args(args)
    sites = remote.sites() if remote else admin.list_sites(session_from_args(args))
    if args.json:
        print_json({"sites": sites})
        return 0
    columns = [Column(N_("site")), Column(N_("gate")), Column(N_("by")), Column(N_("changed")), Column(N_("reason"), free=True)]
    print_table(columns, ((site.code, "enabled" if site.enabled else "shadow", printable(site.updated_by),
                           fmt_when(site.updated_at), printable(site.reason)) for site in sites))
    return 0


def run_kill_switch(args: argparse.Namespace) -> int:
    remote = remote_from_args(args)
    on = args.state == "on"
    ks = remote.kill_switch(on, args.reason) if remote else admin.set_kill_switch(session_from_args(args), on, args.reason)
    override = " " + clock_override(ks.real_at) if ks.real_at else ""
    text = _("kill switch ON: publish and lock are refused ({reason}){override}") if ks.on else _("kill switch off ({reason}){override}")
    print(text.format(reason=printable(ks.reason), override=override))


    return 0
