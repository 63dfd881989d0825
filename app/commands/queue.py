"""`solvereign queue add --forecast ID` · `queue list` · `solvereign worker`: solves as jobs (PostgreSQL store).

`queue add` checks what a solve checks (a planner role, the forecast in your scope) and queues the
job; any `solvereign worker` on any host runs it (app/ops/worker.py).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.commands.common import add_json, clock_from_args, db_path_from_args, print_json, session_from_args
from app.errors import EXIT_BLOCKED, EXIT_OK, UserError

if TYPE_CHECKING:
    from app.ops.session import Session
    from storage.pg_queue import JobQueue


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("queue", help="solve jobs in a PostgreSQL store's queue: add, list")
    qs = p.add_subparsers(dest="queue_command", metavar="ACTION", required=True)
    add = qs.add_parser("add", help="queue a solve of a stored forecast (a worker runs it)")
    add.add_argument("--forecast", type=int, required=True, metavar="ID")
    add.add_argument("--seed", type=int, default=94, help="solver seed (default 94)")
    add.add_argument("--time-limit", type=float, default=60.0, metavar="S", help="time budget in seconds (default 60)")
    add.add_argument("--attempts", type=int, default=3, help="how often a job whose worker died is retried (default 3)")
    add_json(add)
    add.set_defaults(func=run_add)
    ls = qs.add_parser("list", help="the queue's jobs in your scope, newest first")
    add_json(ls)
    ls.set_defaults(func=run_list)
    w = sub.add_parser("worker", help="run queued solve jobs (PostgreSQL store; any number of workers on any host)")
    w.add_argument("--once", action="store_true", help="stop when the queue is empty")
    w.add_argument("--poll", type=float, default=1.0, metavar="S", help="wait between looks at an empty queue (default 1)")
    w.add_argument("--lease", type=float, default=30.0, metavar="S",
                   help="a job whose worker stops renewing for this long is taken over (default 30)")
    w.set_defaults(func=run_worker)


def _queue(args: argparse.Namespace, *, read_only: bool) -> tuple[Session, JobQueue]:
    from app.ops.policy import PLANNERS, refuse_unless, role_check
    from storage.pg_queue import JobQueue

    s = session_from_args(args, read_only=read_only)
    if s.store.backend != "postgresql":
        raise UserError("blocked: solve jobs need a PostgreSQL store (--db postgresql://…)", EXIT_BLOCKED)
    if not read_only:
        refuse_unless(role_check(s.role, PLANNERS, "queue a solve"))
    return s, JobQueue(s.store)


def run_add(args: argparse.Namespace) -> int:
    s, queue = _queue(args, read_only=False)
    s.store.forecasts.get(s.scope, args.forecast)  # NotFound outside the scope
    job = queue.enqueue(s.scope, args.forecast, seed=args.seed, time_limit=args.time_limit, login=s.user.login,
                        max_attempts=args.attempts)
    if args.json:
        print_json(job)
    else:
        print(f"job {job.id} queued: forecast {job.forecast_id} at {job.site} (a worker runs it: solvereign worker)")
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    s, queue = _queue(args, read_only=True)
    jobs = queue.list_jobs(s.scope)
    if args.json:
        print_json({"jobs": jobs})
        return EXIT_OK
    for j in jobs:
        runs = ",".join(map(str, j.plan_ids)) or "-"
        print(f"{j.id:>5}  {j.state:<9} forecast {j.forecast_id:<5} {j.site:<8} attempt {j.attempts}/{j.max_attempts}  "
              f"runs {runs}  {j.error or ''}".rstrip())
    return EXIT_OK


def run_worker(args: argparse.Namespace) -> int:
    from app.ops.session import open_store
    from app.ops.worker import run_worker as work

    clock = clock_from_args(args)
    ran = work(open_store(db_path_from_args(args), clock), clock, once=args.once, poll=args.poll, lease=args.lease)
    print(f"worker stopped after {ran} job(s)")
    return EXIT_OK
