"""`nianbao`: the command line. One sub-command per job, each a thin layer over one stage.

nianbao crawl URL [URL …] [--portal NAME …] [--data DIR] [-s NAME=VALUE …]
nianbao reparse [--data DIR] [--re-ocr] [--re-extract] [--workers N] [--warc-dir DIR …]
nianbao status --redis URL
nianbao export [--data DIR] [--format jsonl|csv|parquet|xlsx] [--out FILE] [--excel]
nianbao wacz [--data DIR] [--out FILE] [--year Y] [--portal NAME]
nianbao parse FILE
nianbao portals
nianbao datasette [--data DIR] [--port P] [--build-only]
nianbao serve [--data DIR] [--port P] [--host H]
nianbao demo [--data DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import shutil
import sys
from collections.abc import Collection, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rich.console import Console
from rich.table import Table

from nianbao.crawling import JOB_DIR, PLAN_FILE, load_plan, print_crawl_summary, run_crawl, say
from nianbao.schedule import WEEKDAYS

err_console = Console(stderr=True)


class CliError(Exception):
    """A user-facing error: printed without a traceback, exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except CliError as err:
        err_console.print(f"nianbao: {err}", style="red", markup=False, soft_wrap=True)
        return 2
    except BrokenPipeError:  # the reader went away (`nianbao export | head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nianbao", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    def with_data(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--data", type=Path, default=Path("data"), help="data directory (default ./data)")
        p.add_argument("--db", help="SQLAlchemy database URL (default DIR/nianbao.sqlite, or $NIANBAO_DB)")
        return p

    crawl = with_data(commands.add_parser("crawl", help="crawl portals, archive to WARC, parse and store"))
    crawl.add_argument("urls", nargs="*", metavar="URL", help="start URLs")
    crawl.add_argument("--portal", action="append", default=[], metavar="NAME", help="a registry portal")
    crawl.add_argument("--all", action="store_true", help="every portal of the registry")
    crawl.add_argument("--level", choices=("central", "provincial", "municipal", "county"),
                       help="with --all: only portals of this administrative level")  # fmt: skip
    crawl.add_argument("--region", help="with --all: only portals of this region (e.g. 浙江)")
    crawl.add_argument("--registry", type=Path, action="append", default=[], help="extra registry file")
    crawl.add_argument("--resume", action="store_true", help="finish the interrupted crawl in DIR")
    crawl.add_argument("--restart", action="store_true", help="drop an interrupted crawl's state first")
    crawl.add_argument(
        "--auto-resume", action="store_true", help="resume an interrupted crawl if there is one, else start"
    )
    crawl.add_argument(
        "-s", dest="settings", action="append", default=[], metavar="NAME=VALUE", help="Scrapy setting"
    )
    crawl.add_argument(
        "--redis", default=os.environ.get("NIANBAO_REDIS"), metavar="URL",
        help="share the frontier with other workers in Redis (redis://HOST:6379/N, or $NIANBAO_REDIS); "
        "without URLs, join the crawl running there",
    )  # fmt: skip
    crawl.set_defaults(func=cmd_crawl)

    schedule = with_data(
        commands.add_parser("schedule", help="print cron and systemd-timer entries for a crawl plan")
    )
    schedule.add_argument("urls", nargs="*", metavar="URL")
    schedule.add_argument("--portal", action="append", default=[], metavar="NAME")
    schedule.add_argument("--all", action="store_true")
    schedule.add_argument("--busy-months", default="1-3", help="months crawled weekly (default 1-3)")
    schedule.add_argument("--weekday", default="mon", choices=sorted(WEEKDAYS), help="weekly crawl day")
    schedule.add_argument("--hour", type=int, default=3)
    schedule.add_argument("--redis", metavar="URL", help="a crawl shared in Redis: one plan per worker")
    schedule.add_argument("--workers", type=_positive_int, default=1, metavar="N",
                          help="with --redis: crawl workers (one per machine; default 1)")  # fmt: skip
    schedule.set_defaults(func=cmd_schedule)

    reparse = with_data(commands.add_parser("reparse", help="rebuild every report from the WARC files"))
    reparse.add_argument(
        "--re-ocr", action="store_true",
        help="read scans by OCR again instead of reusing the text the archive keeps (conversion records)",
    )  # fmt: skip
    reparse.add_argument(
        "--re-extract", action="store_true",
        help="extract every page's text again instead of reusing what the store keeps for this extractor",
    )  # fmt: skip
    reparse.add_argument(
        "--workers", type=_positive_int, default=os.cpu_count() or 1, metavar="N",
        help="processes reading the records (default: every core)",
    )  # fmt: skip
    reparse.add_argument(
        "--warc-dir", type=Path, action="append", default=[], metavar="DIR",
        help="also read this WARC directory (repeat it: one per crawl worker); linked into DIR/warc",
    )  # fmt: skip
    reparse.set_defaults(func=cmd_reparse)

    prune = with_data(commands.add_parser("prune", help="delete the results of superseded parse runs"))
    prune.set_defaults(func=cmd_prune)

    export = with_data(commands.add_parser("export", help="export stored reports"))
    # `json` is the spec's name (shared/spec/REPORT.md: one JSON object per report): the same lines
    export.add_argument(
        "--format", choices=("jsonl", "json", "csv", "parquet", "xlsx"), default="jsonl",
        help="jsonl (= json): a JSON object per report and line; csv: a row per report; parquet: typed "
        "reports and cells files; xlsx: a sheet of reports and one per table, with the template's labels",
    )  # fmt: skip
    export.add_argument(
        "--out", type=Path,
        help="output file (default stdout); for parquet a directory or a file stem (two files)",
    )  # fmt: skip
    export.add_argument(
        "--excel", action="store_true",
        help="csv for Excel on Windows: UTF-8 with a byte-order mark (rows end in CRLF)",
    )  # fmt: skip
    export.set_defaults(func=cmd_export)

    wacz = with_data(commands.add_parser("wacz", help="package the archive (or some reports) as a WACZ file"))
    wacz.add_argument("--out", type=Path, default=Path("nianbao.wacz"), help="default ./nianbao.wacz")
    wacz.add_argument("--year", type=int, help="only the reports on this year")
    wacz.add_argument("--portal", metavar="NAME", help="only the reports of this registry portal")
    wacz.add_argument("--registry", type=Path, action="append", default=[], help="extra registry file")
    wacz.set_defaults(func=cmd_wacz)

    audit = with_data(commands.add_parser("audit", help="publication audit: deadlines, edits, checks, spam"))
    audit.add_argument("--year", type=int, help="only reports on this year (and agencies missing it)")
    audit.add_argument("--format", choices=("table", "jsonl", "csv", "html"), default="table")
    audit.add_argument("--out", type=Path, help="output file (default stdout)")
    audit.add_argument("--registry", type=Path, action="append", default=[], help="extra registry file")
    audit.add_argument("--today", type=_iso_date, help="audit as of this date, YYYY-MM-DD (default today)")
    audit.set_defaults(func=cmd_audit)

    parse = commands.add_parser("parse", help="parse one report file (.html, .txt, .md) to JSON")
    parse.add_argument("file", type=Path)
    parse.set_defaults(func=cmd_parse)

    portals = commands.add_parser("portals", help="list the portal registry")
    portals.add_argument("--registry", type=Path, action="append", default=[])
    portals.set_defaults(func=cmd_portals)

    browse = with_data(commands.add_parser(
        "datasette", help="browse the reports, cells and findings in Datasette, with Chinese full-text search"
    ))  # fmt: skip
    browse.add_argument("--port", type=int, default=8001, help="port on 127.0.0.1 (default 8001)")
    browse.add_argument("--build-only", action="store_true", help="only (re)build DIR/browse.sqlite")
    browse.add_argument(
        "--replay", default="http://127.0.0.1:8080", metavar="URL",
        help="where `nianbao serve` replays captures (default http://127.0.0.1:8080)",
    )  # fmt: skip
    browse.add_argument("--registry", type=Path, action="append", default=[], help="extra registry file")
    browse.set_defaults(func=cmd_datasette)

    replay = with_data(commands.add_parser("serve", help="the audit page and a replay of the archive"))
    replay.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    replay.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    replay.add_argument("--registry", type=Path, action="append", default=[], help="extra registry file")
    replay.add_argument("--wacz", type=Path, action="append", default=[], metavar="FILE",
                        help="a WACZ to open in ReplayWeb.page at /rwp/NAME (repeatable)")  # fmt: skip
    replay.set_defaults(func=cmd_serve)

    status = commands.add_parser("status", help="the state of a crawl shared by several workers in Redis")
    status.add_argument("--redis", default=os.environ.get("NIANBAO_REDIS"), metavar="URL",
                        help="redis://HOST:6379/N (default $NIANBAO_REDIS)")  # fmt: skip
    status.add_argument("--json", action="store_true", help="print it as JSON")
    status.set_defaults(func=cmd_status)

    demo = with_data(commands.add_parser("demo", help="crawl the bundled sample portal, offline"))
    demo.set_defaults(func=cmd_demo)
    return parser


# --- crawl -----------------------------------------------------------------------------------


def cmd_crawl(args: argparse.Namespace) -> int:
    from settings.registry import RegistryError, load_registry

    urls = list(args.urls)
    hosts: list[str] = []
    if args.portal or args.all:
        try:
            registry = load_registry(*args.registry)
        except RegistryError as err:
            raise CliError(str(err)) from err
        unknown = [name for name in args.portal if name not in registry]
        if unknown:
            raise CliError(f"unknown portal {unknown[0]!r} (see `nianbao portals`)")
        chosen = [registry[name] for name in args.portal]
        if args.all:
            chosen += [
                p
                for p in registry.values()
                if args.level in (None, p.level) and args.region in (None, p.region)
            ]
        for portal in dict.fromkeys(chosen):
            urls += portal.start_urls
            hosts += portal.allowed_hosts
    overrides = dict(_setting(s) for s in args.settings)
    if args.redis:
        return _crawl_shared(args, urls, hosts, overrides)
    with data_lock(args.data):  # before touching an interrupted crawl's state: it may be running
        job = args.data / JOB_DIR
        if args.restart and job.exists():
            shutil.rmtree(job)
        db = args.db
        resume = bool(args.resume or (args.auto_resume and (job / PLAN_FILE).exists()))
        if resume:
            try:
                plan = load_plan(job)
            except FileNotFoundError as err:
                raise CliError(f"no interrupted crawl to resume in {args.data}") from err
            urls, hosts, overrides = plan["urls"], plan["hosts"], {**plan["overrides"], **overrides}
            db = db or plan.get("db")
            say(f"resuming the interrupted crawl of {', '.join(urls)}")
        elif job.exists():
            raise CliError(
                f"an interrupted crawl is pending in {job}: finish it with "
                f"`nianbao crawl --resume --data {args.data}` or drop it with --restart"
            )
        if not urls:
            raise CliError("nothing to crawl: give start URLs or --portal NAME")
        result = run_crawl(urls, args.data, db=db, allowed_hosts=hosts, overrides=overrides, resume=resume)
    print_crawl_summary(result, args.data)
    return int(result.outcome.code)


def _crawl_shared(args: argparse.Namespace, urls: list[str], hosts: list[str], overrides: dict) -> int:
    """One worker of a crawl shared in Redis: its state (frontier, seen-set, leases) is there, not in
    DATA/job, so --resume and --restart mean nothing: a worker started again joins the crawl."""
    if args.resume or args.restart:
        raise CliError("--resume/--restart do not apply with --redis: a worker started again joins the crawl")
    overrides = {**overrides, "NIANBAO_REDIS": args.redis}
    with data_lock(args.data):
        job = args.data / JOB_DIR
        if (job / "frontier.sqlite").exists():
            raise CliError(f"{job} holds an interrupted crawl of this machine: finish or drop it first")
        if job.exists():
            shutil.rmtree(job)  # only the plan of an earlier worker run: the crawl's state is in Redis
        result = run_crawl(urls, args.data, db=args.db, allowed_hosts=hosts, overrides=overrides)
    print_crawl_summary(result, args.data, redis=args.redis)
    return int(result.outcome.code)


def _setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise CliError(f"-s takes NAME=VALUE, not {text!r}")
    return name.strip(), value


@contextlib.contextmanager
def data_lock(data: Path) -> Iterator[None]:
    """One writer per data directory: a second crawl or reparse on it is refused, not interleaved."""
    data.mkdir(parents=True, exist_ok=True)
    with open(data / ".lock", "a+") as handle:  # "a+": the holder's pid survives a refused attempt
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            raise CliError(f"{data} is in use by another nianbao crawl or reparse") from err
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield


# --- archive commands ------------------------------------------------------------------------


def _engine(args: argparse.Namespace):
    from archive.db import database_url, open_database

    return open_database(database_url(args.data, args.db))


def cmd_reparse(args: argparse.Namespace) -> int:
    import time

    from archive.reparse import rates, reparse

    warc_dir = args.data / "warc"
    if args.warc_dir:  # the workers' archives of a shared crawl: their union, by links, in DIR/warc
        from crawler.cluster_status import link_union

        try:
            link_union(warc_dir, args.warc_dir)
        except OSError as err:
            raise CliError(str(err)) from err
    if not warc_dir.is_dir():
        raise CliError(f"no WARC files in {warc_dir}")
    started = time.monotonic()
    with data_lock(args.data):
        counts = reparse(
            _engine(args), warc_dir, re_ocr=args.re_ocr, re_extract=args.re_extract, workers=args.workers,
            status=lambda line: err_console.print(f"reparse: {line}", markup=False),
        )  # fmt: skip
    ocr_pages, ocr_reused = counts.pop("ocr_pages", 0), counts.pop("ocr_reused", 0)
    extracted, kept = counts.pop("extracted", 0), counts.pop("extraction_reused", 0)
    records = sum(counts.values())
    reports = counts["report"] + counts["version"] + counts["unchanged"]
    err_console.print(
        f"reparsed {records} records: {counts['report']} reports, "
        f"{counts['version']} later versions, {counts['failure']} not parsed; "
        f"OCR: {ocr_pages} pages read, {ocr_reused} scanned documents' kept text reused; "
        f"pages extracted: {extracted}, kept text reused: {kept}; {args.workers} worker(s); "
        f"{rates(records, reports, time.monotonic() - started)}"
    )
    return 0


def cmd_schedule(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from nianbao.schedule import Plan, render

    if not (args.urls or args.portal or args.all):
        raise CliError("nothing to schedule: give start URLs, --portal NAME or --all")
    first, _, last = args.busy_months.partition("-")
    data = args.data.resolve()
    command = [sys.executable, "-m", "nianbao.cli", "crawl"]  # absolute: cron and systemd have no venv PATH
    command += [*args.urls, *(a for name in args.portal for a in ("--portal", name))]
    command += ["--all"] if args.all else []
    command += ["--data", str(data), "--auto-resume"]
    command += ["--db", args.db] if args.db else []
    if args.db and make_url(args.db).password:
        err_console.print(
            "warning: the --db URL's password will be in these entries; leave it out of the URL and "
            "put it in ~/.pgpass (or $PGPASSFILE) of the user the crawl runs as",
            markup=False, soft_wrap=True,
        )  # fmt: skip
    workers = [("", command, data)]
    if args.redis:  # worker 1 pushes the start URLs, the others join (same time, own data directory)
        from crawler.cluster_status import worker_commands

        workers = worker_commands(command, data, args.redis, args.workers)
    for title, command, data in workers:
        try:
            plan = Plan(
                command=command, workdir=Path.cwd(), log=data / "crawl.log",
                busy_months=(int(first), int(last or first)), weekday=WEEKDAYS[args.weekday], hour=args.hour,
            )  # fmt: skip
        except ValueError as err:
            raise CliError(str(err)) from err
        sys.stdout.write((f"# ===== {title} =====\n" if title else "") + render(plan))
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    from archive.reparse import prune

    with data_lock(args.data):
        runs = prune(_engine(args))
    err_console.print(f"pruned {runs} superseded parse run(s)")
    return 0


def _positive_int(text: str) -> int:
    if not text.isdecimal() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text}")
    return int(text)


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from err


def cmd_audit(args: argparse.Namespace) -> int:
    from archive.audit import audit_rows, render
    from archive.db import sessions
    from settings.registry import RegistryError, load_registry

    try:
        registry = load_registry(*args.registry)
    except RegistryError as err:
        raise CliError(str(err)) from err
    with sessions(_engine(args))() as session:
        rows = audit_rows(session, registry, year=args.year, today=args.today or date.today())
    text = render(rows, args.format, data_dir=args.data)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        err_console.print(f"audited {len(rows)} rows to {args.out}", markup=False)
    else:
        sys.stdout.write(text)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from archive.export import write_csv, write_jsonl

    if args.excel and args.format != "csv":
        raise CliError("--excel is for --format csv (xlsx is Excel's own format)")
    if args.format in ("parquet", "xlsx"):
        return _export_typed(args)
    writer = write_csv if args.format == "csv" else write_jsonl
    engine = _engine(args)
    # Excel takes a CSV for UTF-8 only after a byte-order mark; the csv module already ends rows in CRLF.
    encoding = "utf-8-sig" if args.excel else "utf-8"
    if args.out:
        with open(args.out, "w", encoding=encoding, newline="") as out:
            n = writer(engine, out)
        err_console.print(f"exported {n} reports to {args.out}")
    else:
        if args.excel:
            sys.stdout.write("\ufeff")
        writer(engine, sys.stdout)
    return 0


def _export_typed(args: argparse.Namespace) -> int:
    """Parquet (two files) and XLSX: binary, so never to a terminal."""
    from archive.export import iter_export_records
    from archive.export_tables import write_parquet, write_xlsx

    if args.format == "parquet":
        if args.out is None:
            raise CliError("--format parquet writes two files: give --out DIR or --out STEM")
        n, (reports, cells) = write_parquet(iter_export_records(_engine(args)), args.out)
        message = f"exported {n} reports to {reports}, their cells to {cells}"
        err_console.print(message, markup=False, soft_wrap=True)
    elif args.out is not None:
        n = write_xlsx(iter_export_records(_engine(args)), args.out)
        err_console.print(f"exported {n} reports to {args.out}", markup=False)
    elif sys.stdout.isatty():
        raise CliError("--format xlsx writes a binary file: give --out FILE.xlsx (or redirect stdout)")
    else:
        sys.stdout.flush()
        write_xlsx(iter_export_records(_engine(args)), sys.stdout.buffer)
    return 0


def cmd_wacz(args: argparse.Namespace) -> int:
    from archive.wacz import Selection, WaczError, build_wacz
    from settings.registry import RegistryError, load_registry

    portal, registry = None, None
    if args.portal:
        try:
            registry = load_registry(*args.registry)
        except RegistryError as err:
            raise CliError(str(err)) from err
        if args.portal not in registry:
            raise CliError(f"unknown portal {args.portal!r} (see `nianbao portals`)")
        portal = registry[args.portal]
    selection = Selection(year=args.year, portal=portal, registry=registry)

    def warn(message: str) -> None:
        err_console.print(f"warning: {message}", style="yellow", markup=False, soft_wrap=True)

    try:
        summary = build_wacz(_engine(args), args.data / "warc", args.out, selection, warn=warn)
    except WaczError as err:
        raise CliError(str(err)) from err
    err_console.print(
        f"wrote {args.out}: {summary.records} WARC records in {summary.warc_files} files, "
        f"{summary.index_lines} index lines, {summary.pages} report pages, {summary.extra_pages} listings",
        markup=False,
        soft_wrap=True,
    )
    return 0


def _existing_store_and_registry(args: argparse.Namespace):
    """The registry, once it is known there is a store to read (a browser on nothing helps no one)."""
    from archive.db import DB_ENV
    from settings.registry import RegistryError, load_registry

    if not (args.db or os.environ.get(DB_ENV) or (args.data / "nianbao.sqlite").exists()):
        raise CliError(f"no store in {args.data} (no nianbao.sqlite): crawl first, or give --data / --db")
    try:
        return load_registry(*args.registry)
    except RegistryError as err:
        raise CliError(str(err)) from err


def cmd_datasette(args: argparse.Namespace) -> int:
    """Build DIR/browse.sqlite from the store (when it changed) and serve it with Datasette."""
    from archive.browse.build import build_browse

    registry = _existing_store_and_registry(args)
    result = build_browse(_engine(args), args.data, registry=registry, today=date.today())
    state = "built" if result.rebuilt else "up to date"
    summary = f"{result.path} {state}: {result.reports} reports, {result.findings} findings"
    err_console.print(summary, markup=False, soft_wrap=True)
    if args.build_only:
        return 0
    from archive.browse.site import ServeError, serve

    try:
        return serve(result.path, port=args.port, replay_base=args.replay,
                     announce=lambda text: err_console.print(text, markup=False, soft_wrap=True))  # fmt: skip
    except ServeError as err:
        raise CliError(str(err)) from err


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the audit at /, the archive's replay at /replay/<timestamp>/<url>, and each --wacz
    package in ReplayWeb.page at /rwp/<name>."""
    from archive.serve import ServeError, serve

    registry = _existing_store_and_registry(args)
    for package in args.wacz:
        if not package.is_file():
            raise CliError(f"no WACZ at {package}: make one with `nianbao wacz --out {package}`")
    try:
        return serve(_engine(args), args.data, registry=registry, host=args.host, port=args.port,
                     waczs=args.wacz,
                     announce=lambda text: err_console.print(text, markup=False, soft_wrap=True))  # fmt: skip
    except ServeError as err:
        raise CliError(str(err)) from err


def cmd_parse(args: argparse.Namespace) -> int:
    from archive.report import NotAReport

    try:
        raw = args.file.read_bytes()
    except OSError as err:
        raise CliError(f"cannot read {args.file}: {err.strerror}") from err
    try:
        report = parse_file(args.file.suffix.lower(), raw, args.file.name)
    except NotAReport as err:
        raise CliError(f"{args.file}: not parsed: {err}") from err
    json.dump(report.to_dict(), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


def parse_file(suffix: str, raw: bytes, name: str):
    """A report file as the crawl would read it: HTML through extraction, attachments through their
    converter (`archive.documents`), text straight in."""
    from archive.extract import ExtractionError, decode_html, extract_page
    from archive.parser import parse_report
    from archive.report import NotAReport

    if suffix in (".html", ".htm", ".shtml"):
        html, encoding = decode_html(raw, None)
        try:
            text = extract_page(html, None, encoding).text
        except ExtractionError as err:
            raise NotAReport(str(err)) from err
    elif suffix in (".pdf", ".docx", ".doc", ".wps", ".rtf", ".zip", *IMAGE_SUFFIXES):
        from archive.documents import document_text
        from archive.ocr.trust import distrust_ocr, is_ocr

        try:
            converted = document_text(raw, None, name)
        except ExtractionError as err:
            raise NotAReport(str(err)) from err
        report = parse_report(converted.text)
        return distrust_ocr(report, converted.converter) if is_ocr(converted) else report
    elif suffix in (".txt", ".md", ".markdown"):
        text = _decode_text(raw)
    else:
        raise CliError(
            f"{name}: unsupported file type {suffix or '(none)'} "
            "(use .html, .txt, .md, .pdf, .docx, .doc, .wps, .rtf, .zip, or a .jpg/.png/.tif scan)"
        )
    return parse_report(text)


IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp")


def _decode_text(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def cmd_portals(args: argparse.Namespace) -> int:
    from settings.registry import RegistryError, load_registry

    try:
        registry = load_registry(*args.registry)
    except RegistryError as err:
        raise CliError(str(err)) from err
    table = Table("name", "region", "level", "parent", "home", "platform")
    for p in registry.values():
        table.add_row(p.name, p.region, p.level, p.parent, p.home, p.platform)
    console = Console()
    console.print(table)
    console.print(portal_counts(registry.values()))
    return 0


def portal_counts(portals: Collection[Any]) -> Table:
    """Portals by region and level (governments / all), with the confirmed ones, as a table."""
    levels = ("central", "provincial", "municipal", "county")
    counts: dict[str, dict[str, list[int]]] = {}
    for p in portals:
        cell = counts.setdefault(p.region, {lv: [0, 0] for lv in levels}).setdefault(p.level, [0, 0])
        cell[0] += p.kind == "government"
        cell[1] += 1
    confirmed = {r: 0 for r in counts}
    for p in portals:
        confirmed[p.region] += p.confidence == "confirmed"
    table = Table(
        "region", *levels, "total", "confirmed", title="portals by region and level (governments/all)"
    )
    for region in sorted(counts, key=lambda r: (r != "全国", r)):
        row = counts[region]
        table.add_row(region, *(f"{row[lv][0]}/{row[lv][1]}" for lv in levels),
                      str(sum(c[1] for c in row.values())), str(confirmed[region]))  # fmt: skip
    return table


def cmd_status(args: argparse.Namespace) -> int:
    from crawler.cluster_status import cluster_status

    if not args.redis:
        raise CliError("give --redis URL (or set NIANBAO_REDIS)")
    try:
        state = cluster_status(args.redis)
    except Exception as err:  # redis.ConnectionError and the like: say it, no traceback
        raise CliError(f"cannot read {args.redis}: {err}") from err
    if args.json:
        sys.stdout.write(json.dumps(state, ensure_ascii=False) + "\n")
        return 0
    if state["crawl"] is None:
        sys.stdout.write("no crawl in this Redis\n")
        return 0
    ended = f", finished {state['finished_at']}" if state["finished_at"] else " (running)"
    sys.stdout.write(
        f"crawl {state['crawl']} started {state['started_at']}{ended}\n"
        f"frontier: {state['pending']} pending, {state['leases']} in-flight leases, {state['done']} done, "
        f"{state['failed']} given up, {state['refused']} refused; {state['leases_expired']} leases expired\n"
        f"workers seen in the last minute: {state['workers_recent']}\n"
    )
    table = Table(show_header=True)
    for column in ("worker", "seen (s ago)", "pages", "pages/s", "leases"):
        table.add_column(column)
    for w in state["workers"]:
        name = w["worker"] + (" (stopped)" if w["closed"] else "")
        table.add_row(name, str(w["seen_ago"]), str(w["pages"]), str(w["pages_per_s"]), str(w["leases"]))
    Console().print(table)
    return 0


# --- demo ------------------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    """Serve the bundled sample portal on 127.0.0.1, crawl it, and show what was found."""
    from archive.export import iter_export_records
    from nianbao.sample_portal.server import serve

    with data_lock(args.data), serve() as base_url:
        shutil.rmtree(args.data / JOB_DIR, ignore_errors=True)  # an earlier demo's portal is gone
        err_console.print(f"sample portal at {base_url}")
        result = run_crawl(
            [base_url],
            args.data,
            db=args.db,
            overrides={"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "WARNING"},
        )
    print_crawl_summary(result, args.data)
    err_console.print(
        f"WARC files in {args.data / 'warc'}; next: nianbao export --data {args.data}", markup=False
    )
    console = Console()
    show_reports(list(iter_export_records(_engine(args))), Console(width=max(console.width, 150)))
    return int(result.outcome.code)


def show_reports(records: list[dict[str, Any]], console: Console) -> None:
    table = Table("agency", "year", "published", "format", "cells", "checks failed", "page", title="reports")
    for r in records:
        failed = [f"{c['rule']}:{c['column']}" for c in r["checks"] if not c["ok"]]
        table.add_row(
            r["agency"] or "?",
            str(r["year"]),
            r["published_on"] or "-",
            r["format"],
            str(sum(v is not None for v in r["cells"].values())),
            ", ".join(failed) or "-",
            urlsplit(r["url"]).path,
        )
    console.print(table)


if __name__ == "__main__":
    sys.exit(main())
