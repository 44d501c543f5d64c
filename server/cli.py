"""``ducha``: the command line of the server."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path

from server.settings import describe


def _settings_epilog() -> str:
    lines = ["environment variables:"]
    for name, default, doc in describe():
        lines.append(f"  {name:<30} {doc} (default: {default})")
    return "\n".join(lines)


def _ensure_conf() -> None:
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if root not in sys.path:
        sys.path.insert(0, root)


async def migrate() -> None:
    """Apply every migration that has not run yet."""
    _ensure_conf()
    from piccolo.apps.migrations.commands.forwards import run_forwards

    result = await run_forwards("all")
    if not result.success:
        raise SystemExit(f"migration failed: {result.message}")


def cmd_migrate(args: argparse.Namespace) -> None:
    asyncio.run(migrate())
    print("数据库已是最新版本 (migrations applied)")


def cmd_demo(args: argparse.Namespace) -> None:
    from server.demo.data import DEMO_PASSWORD, USERS
    from server.demo.service import load_demo

    async def run() -> dict:
        await migrate()
        return await load_demo()

    counts = asyncio.run(run())
    print(f"演示数据（虚构）: 新建安置点 {counts['sites']} 个, 用户 {counts['users']} 个, "
          f"督查记录 {counts['visits']} 次, 问题 {counts['issues']} 个")
    print(f"演示账号（密码均为 {DEMO_PASSWORD}）:")
    for username, display, role, *_ in USERS:
        if role != "county_team" or username in ("yanhu", "linyi"):
            print(f"  {username:<12} {role:<15} {display}")
    print("  （其余各县专班账号见 README）")


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    from server.settings import get_settings

    settings = get_settings()
    _ensure_conf()
    uvicorn.run(
        "server.asgi:app", host=args.host or settings.host, port=args.port or settings.port,
        workers=args.workers or settings.workers, log_level="info",
        # X-Forwarded-For only from the proxies named in DUCHA_TRUSTED_PROXIES (a login throttle keyed
        # by a header anyone can send is no throttle)
        proxy_headers=bool(settings.trusted_proxies), forwarded_allow_ips=settings.trusted_proxies or None,
    )


def cmd_user(args: argparse.Namespace) -> None:
    from server.accounts import service
    from server.accounts.roles import Role
    from server.accounts.schemas import UserCreate

    password = args.password or getpass.getpass("密码: ")
    data = UserCreate(username=args.username, display_name=args.name or args.username, password=password,
                      role=Role(args.role), county_id=args.county_id, site_id=args.site_id, department_id=args.department_id)

    async def run():
        await migrate()
        return await service.create_user(None, data)

    user = asyncio.run(run())
    print(f"已创建用户 {user.username} (id {user.id}, {user.role.value})")


def _anchors(values: list[str]) -> list:
    """Each --anchor is a file (one anchor a line: what ``ducha audit anchor`` writes) or one anchor."""
    from server.audit.service import Anchor

    out: list[Anchor] = []
    for value in values:
        path = Path(value)
        lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else [value]
        try:
            out.extend(Anchor.parse(line) for line in lines if line.strip())
        except ValueError as exc:
            raise SystemExit(f"{value}: {exc}") from None
    return out


def cmd_audit_verify(args: argparse.Namespace) -> None:
    from server.audit.service import verify

    anchors = _anchors(args.anchor or [])
    verdict = asyncio.run(verify(anchors))
    if verdict.ok:
        print(f"审计链完整: {verdict.events} 条事件" + (f"，{len(anchors)} 个锚点都在链上" if anchors else ""))
        return
    print(f"审计链被破坏: 第一处在事件 {verdict.first_broken_seq}: {verdict.reason}", file=sys.stderr)
    raise SystemExit(1)


def cmd_audit_anchor(args: argparse.Namespace) -> None:
    from server.audit.service import anchor

    line = asyncio.run(anchor()).line()
    if args.append:
        with open(args.append, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
    print(line)


def cmd_media_check(args: argparse.Namespace) -> None:
    from server.media.check import check

    report = asyncio.run(check(remove_found=args.remove, grace_seconds=args.grace_minutes * 60))
    for path, size in report.all():
        print(f"{'已删除' if args.remove else '孤立'}  {size:>10}  {path}")
    print(report.summary())


def cmd_templates_check(args: argparse.Namespace) -> None:
    from pathlib import Path

    from server.checklists.loader import DEFAULT_DIR, _load, summary

    problems, registry = _load(Path(args.dir) if args.dir else DEFAULT_DIR)
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        print(f"检查表有 {len(problems)} 处错误", file=sys.stderr)
        raise SystemExit(1)
    counts = summary(registry)
    print(f"检查表全部通过: {counts['templates']} 张检查表（{counts['template_versions']} 个版本），"
          f"最新版共 {counts['items_latest']} 个检查项，其中 {counts['items_latest_with_basis']} 项注明政策依据")


def _cli_date(value: str | None, flag: str):
    from datetime import date

    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SystemExit(f"{flag} 不是日期：{value!r}（格式 YYYY-MM-DD，例如 2026-11-01）") from None


def cmd_ledger(args: argparse.Namespace) -> None:
    import time
    from pathlib import Path

    from server.ledgers import files, service, worker
    from server.lib.errors import DomainError
    from server.sites.tables import County

    suffix = Path(args.output).suffix.lower().lstrip(".")
    fmt = args.format or (suffix if suffix in service.FORMATS else "pdf")
    if suffix and suffix != fmt:
        raise SystemExit(f"输出文件 {args.output} 的扩展名与格式 {fmt} 不符：用 -o 文件名.{fmt}，或 --format {suffix if suffix in service.FORMATS else 'pdf|xlsx'}")
    filters = {"inspection": getattr(args, "inspection", None), "site_id": args.site_id, "area": args.area, "state": args.state,
               "date_from": _cli_date(args.date_from, "--from"), "date_to": _cli_date(args.date_to, "--to")}

    async def go():
        from server.lib import db

        async with db.pool():
            if args.county:
                row = await County.select(County.id).where(County.name == args.county).first()
                if row is None:
                    names = "、".join(r["name"] for r in await County.select(County.name))
                    raise SystemExit(f"没有这个县（市、区）：{args.county}（可选：{names}）")
                filters["county_id"] = row["id"]
            job = await service.request(None, args.kind, fmt, filters)
            return await worker.run(job["uuid"])

    started = time.perf_counter()
    try:
        job = asyncio.run(go())
    except DomainError as exc:
        raise SystemExit(exc.message) from None
    if job["state"] != "done":
        raise SystemExit(job["error"] or "台账生成失败")
    Path(args.output).write_bytes(files.read(job))
    pages = f"，{job['pages']} 页" if job["pages"] else ""
    print(f"已生成 {args.output}：{job['rows_total']} 条{pages}，{job['size_bytes'] / 1024:.0f} KB，"
          f"用时 {time.perf_counter() - started:.1f} 秒；台账摘要 {job['digest']}")


#: ``ducha ledger verify`` exit codes
VERIFY_EXIT = {"same": 0, "altered": 1, "unknown": 2, "unreadable": 3}


def cmd_ledger_verify(args: argparse.Namespace) -> None:
    from pathlib import Path

    from server.ledgers.service import verify

    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        print(f"无法读取文件 {args.file}：{exc.strerror or exc}", file=sys.stderr)
        raise SystemExit(VERIFY_EXIT["unreadable"]) from None
    verdict, message, _ = asyncio.run(verify(data))
    print(message)
    raise SystemExit(VERIFY_EXIT[verdict])


def cmd_notices_send(args: argparse.Namespace) -> None:
    from server.notices.service import escalation_notices

    async def go():
        from server.lib import db

        async with db.pool():
            return await escalation_notices(_cli_date(args.day, "--day"))

    counts = asyncio.run(go())
    print(f"逾期问题 {counts['issues']} 个；新提醒 {counts['notices']} 条，涉及 {counts['people']} 人；发出邮件 {counts['mailed']} 封")


def cmd_worker(args: argparse.Namespace) -> None:
    import logging

    from server.jobs.queue import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        asyncio.run(run_worker(concurrency=args.concurrency, name=args.name))
    except ValueError as exc:
        raise SystemExit(str(exc)) from None


def cmd_daily(args: argparse.Namespace) -> None:
    from server.jobs.schedule import daily_work

    day = _cli_date(args.day, "--day")
    work = [d for d in daily_work() if not args.only or d.name in args.only]

    async def go():
        from server.lib import db

        async with db.pool():
            for d in work:
                print(f"{d.name}：{await d.run(day or clock.today())}")

    from server.lib import clock

    asyncio.run(go())


def cmd_import_unsynced(args: argparse.Namespace) -> None:
    from pathlib import Path

    from server.inspections.rescue import import_file
    from server.lib.errors import DomainError

    async def go():
        from server.lib import db

        async with db.pool():
            return await import_file(Path(args.file), args.as_user)

    try:
        results = asyncio.run(go())
    except DomainError as exc:
        raise SystemExit(exc.message) from None
    names = {"photo": "照片", "inspection": "督查记录", "rectification": "整改"}
    for kind, uuid, outcome in results:
        print(f"{names.get(kind, kind)} {uuid}: {'已导入' if outcome == 'ok' else outcome}")
    failed = sum(1 for *_, outcome in results if outcome != "ok")
    print(f"共 {len(results)} 项，导入 {len(results) - failed} 项，失败 {failed} 项")
    if failed:
        raise SystemExit(1)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ducha", description="督查: resettlement-site inspection server",
        epilog=_settings_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP server (uvicorn)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    sub.add_parser("demo", help="migrate and load the invented demo data (once)").set_defaults(func=cmd_demo)
    user = sub.add_parser("user", help="create a user")
    user.add_argument("username")
    user.add_argument("--role", required=True, choices=["city_admin", "city_inspector", "county_team", "site_manager", "department"])
    user.add_argument("--name")
    user.add_argument("--password", help="asked for when not given")
    user.add_argument("--county-id", type=int)
    user.add_argument("--site-id", type=int)
    user.add_argument("--department-id", type=int)
    user.set_defaults(func=cmd_user)
    audit = sub.add_parser("audit", help="the audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    averify = audit_sub.add_parser("verify", help="check the hash chain, its seals and head; names the first broken event")
    averify.add_argument("--anchor", action="append", metavar="FILE_OR_ANCHOR",
                         help="an anchor kept outside the database (a file of lines written by `audit anchor`, or N:HASH, "
                              "or a ledger footer's 审计链 N 条 · HASH); repeatable: the chain must reach it unchanged")
    averify.set_defaults(func=cmd_audit_verify)
    aanchor = audit_sub.add_parser("anchor", help="print the chain's count and last hash, to keep away from the database")
    aanchor.add_argument("--append", metavar="FILE", help="also append the line to FILE (e.g. a file the city office keeps)")
    aanchor.set_defaults(func=cmd_audit_anchor)
    media = sub.add_parser("media", help="the media folder (photos, ledgers)")
    media_sub = media.add_subparsers(dest="media_command", required=True)
    mcheck = media_sub.add_parser("check", help="files no database row refers to (a crash's leftovers); --remove removes them")
    mcheck.add_argument("--remove", action="store_true", help="remove what was found")
    mcheck.add_argument("--grace-minutes", type=float, default=60,
                        help="leave files younger than this alone: their row may be committing (default 60)")
    mcheck.set_defaults(func=cmd_media_check)
    templates = sub.add_parser("templates", help="checklist templates")
    templates_sub = templates.add_subparsers(dest="templates_command", required=True)
    tcheck = templates_sub.add_parser("check", help="validate every template file (names file, line and item)")
    tcheck.add_argument("--dir", help="a folder of template files (default: inspection_templates/)")
    tcheck.set_defaults(func=cmd_templates_check)
    notices = sub.add_parser("notices", help="escalation notices (催办/报市办)")
    notices_sub = notices.add_subparsers(dest="notices_command", required=True)
    nsend = notices_sub.add_parser("send", help="tell whom it concerns about issues 3 (催办) or 7 (报市办) days past their deadline, once each "
                                                "(the server does it daily at DUCHA_NOTICE_HOUR; for cron when that is -1)")
    nsend.add_argument("--day", help="as on this day (YYYY-MM-DD, Shanghai); default today")
    nsend.set_defaults(func=cmd_notices_send)
    worker = sub.add_parser("worker", help="take jobs from the distributed queue (DUCHA_QUEUE=postgres): ledgers and the daily work; "
                                           "run any number, on any machines sharing the database and the object store")
    worker.add_argument("--concurrency", type=int, default=1, help="jobs at once in this process (a PDF ledger uses every core already; default 1)")
    worker.add_argument("--name", help="the worker's name in the queue (default host-pid)")
    worker.set_defaults(func=cmd_worker)
    daily = sub.add_parser("daily", help="the daily work now (as on --day): escalation notices, 报送 reminders, the audit anchor, "
                                         "the media clean-up; for cron when DUCHA_NOTICE_HOUR is -1")
    daily.add_argument("--day", help="as on this day (YYYY-MM-DD, Shanghai); default today")
    daily.add_argument("--only", action="append", choices=["escalation_notices", "ledger_reminders", "audit_anchor", "media_cleanup"],
                       help="only this part (repeatable)")
    daily.set_defaults(func=cmd_daily)
    rescue = sub.add_parser("import-unsynced", help="import a phone's exported unsynced data file (导出未同步数据) as its user")
    rescue.add_argument("file")
    rescue.add_argument("--as", dest="as_user", help="the user the file belongs to (checked against the file)")
    rescue.set_defaults(func=cmd_import_unsynced)
    ledger = sub.add_parser("ledger", help="ledgers (台账) as PDF or XLSX; verify a ledger file")
    ledger_sub = ledger.add_subparsers(dest="ledger_command", required=True)
    from server.ledgers.model import KINDS

    for kind, name in KINDS.items():
        lp = ledger_sub.add_parser(kind, help=f"{name}")
        lp.add_argument("--county", help="县（市、区）名称，如 盐湖区")
        lp.add_argument("--site-id", type=int)
        lp.add_argument("--area", help="类别，如 消防措施")
        lp.add_argument("--state", choices=["open", "rectifying", "submitted", "closed"])
        lp.add_argument("--from", dest="date_from", help="YYYY-MM-DD")
        lp.add_argument("--to", dest="date_to", help="YYYY-MM-DD")
        lp.add_argument("--format", choices=["pdf", "xlsx"], help="default: the output file's extension, else pdf")
        if kind == "visit":
            lp.add_argument("--inspection", required=True, help="the inspection's UUID")
        lp.add_argument("-o", "--output", required=True, help="the file to write")
        lp.set_defaults(func=cmd_ledger, kind=kind)
    lv = ledger_sub.add_parser("verify", help="is this file the one the server made? (exit 0 same, 1 altered, 2 unknown, 3 cannot read the file)")
    lv.add_argument("file")
    lv.set_defaults(func=cmd_ledger_verify)
    return parser


def main(argv: list[str] | None = None) -> None:
    _ensure_conf()
    args = build_parser().parse_args(argv)
    from server.lib import clock
    from server.settings import get_settings

    if get_settings().test_clock:
        clock.use_test_clock(get_settings().test_clock)
    args.func(args)


if __name__ == "__main__":
    main()
