"""The ``iop`` command (CONTRACT.md): serve, db upgrade, demo [--reset], plugins,
audit verify [--tenant CODE]; deadlines refresh [--all], the daily
recomputation of what time has moved (core.services.case_state); remind, the
daily reminder digest (core.services.bevakning); docs, each kommun's rules
generated from its plugin (core.rulebook); and mail send
[--loop], which delivers the e-mail outbox (core.mailer).

Every failure ends with one line on stderr and a non-zero exit code.
"""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

from babel.numbers import format_decimal
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError

from core import clock, demo, jobs
from core.config import Settings, load_settings
from core.db import make_engine, make_sessionmaker
from core.plugin_api import PluginError
from core.registry import build_plugin_manager, build_registry
from core.services import archive, audit_verify, tenants
from core.tenancy import Scope


class CliError(Exception):
    pass


def _registry():
    return build_registry(build_plugin_manager())


def cmd_serve(args) -> None:
    import uvicorn

    from web.app import create_app

    settings = load_settings()
    app = create_app(settings)  # builds the registry now: a broken plugin stops here
    print(f"IOP-plattformen kör på http://{args.host}:{args.port}/ "
          f"({_count(args.workers, 'process', 'processer')}; Ctrl+C avslutar)", flush=True)
    # httptools and uvloop: the fast parser and loop. Several processes share
    # nothing but the database (sessions, sign-in limits and the stored case
    # state live there), so each builds its own app from the environment.
    options = {"host": args.host, "port": args.port, "log_level": "warning", "http": "httptools",
               "loop": "uvloop" if _has("uvloop") else "asyncio", **proxy_options(settings)}
    if args.workers == 1:
        # The app lives as long as the process: later collections need not walk it (web/console.py).
        gc.freeze()
        uvicorn.run(app, **options)
    else:
        for close in app.on_shutdown:  # the check is done; each worker opens its own pool
            close()
        uvicorn.run("web.app:create_app", factory=True, workers=args.workers, **options)


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _workers(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 64:
        raise argparse.ArgumentTypeError("ska vara ett heltal från 1 till 64")
    return int(value)


def proxy_options(settings: Settings) -> dict:
    """uvicorn believes X-Forwarded-For/-Proto only from IOP_TRUSTED_PROXIES.
    Its own default would trust 127.0.0.1, so anyone who can reach the port
    from the host could choose their address for the sign-in limit."""
    if not settings.trusted_proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": list(settings.trusted_proxies)}


def cmd_db_upgrade(args) -> None:
    from core.migrate import upgrade  # Alembic: only the commands that migrate import it

    settings = load_settings()
    upgrade(settings.migration_url, app_url=settings.database_url)
    # Partnerships that have no stored state yet (an upgrade that adds it) get it now.
    _refresh_case_states(settings, _registry(), everything=False)
    print("Databasen är uppdaterad.")


def _refresh_case_states(settings: Settings, registry, *, everything: bool) -> int:
    engine = make_engine(settings.database_url)
    try:
        return jobs.refresh_case_states(make_sessionmaker(engine, Scope.system(), registry=registry), registry,
                                  clock.today(), everything=everything)
    finally:
        engine.dispose()


def cmd_deadlines_refresh(args) -> None:
    n = _refresh_case_states(load_settings(), _registry(), everything=args.all)
    print(f"Frister och aktuella steg uppdaterade för {_count(n, 'partnerskap', 'partnerskap')}.")


def cmd_remind(args) -> None:
    """The daily bevakning: what time has moved is recomputed first, then each
    person with something overdue or due soon gets today's digest, once."""
    settings = load_settings()
    registry = _registry()
    today = clock.today()
    engine = make_engine(settings.database_url)
    try:
        factory = make_sessionmaker(engine, Scope.system(), registry=registry)
        jobs.refresh_case_states(factory, registry, today)
        result = jobs.send_reminders(factory, registry, today, settings.base_url)
    except (OperationalError, ProgrammingError) as exc:
        raise CliError("databasen är inte skapad eller uppdaterad; kör 'iop db upgrade' först") from exc
    finally:
        engine.dispose()
    queued = "lagd" if result.sent == 1 else "lagda"
    print(f"Påminnelser {today.isoformat()}: {_count(result.sent, 'sammanställning', 'sammanställningar')} "
          f"{queued} i utkorgen, {result.already} redan skickade i dag. 'iop mail send' skickar dem.")


def cmd_docs(args) -> None:
    """Writes each kommun's rules as a page generated from its plugin (core.rulebook)."""
    from core import rulebook

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    written = rulebook.pages(_registry())
    for name, text in written.items():
        (out / name).write_text(text, encoding="utf-8")
    print(f"{_count(len(written), 'sida', 'sidor')} skrivna till {out}: {', '.join(written)}.")


def cmd_demo(args) -> None:
    from core.migrate import reset, upgrade

    settings = load_settings()
    registry = _registry()
    if args.reset:
        reset(settings.migration_url)
    upgrade(settings.migration_url, app_url=settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        factory = make_sessionmaker(engine, Scope.system(), registry=registry)
        with factory() as session:
            installed = demo.is_installed(session)
        if not installed:
            # PostgreSQL takes several writers at once: the tenants' cases are walked side by side.
            demo.install(factory, registry, settings.documents_dir,
                         side_by_side=engine.dialect.name == "postgresql")
        with factory() as session:
            print(f"Demoinloggningar (lösenord för alla: {demo.PASSWORD}):")
            for email, tenant, role in demo.demo_logins(session, registry):
                print(f"{email}\t{tenant}\t{role}")
    finally:
        engine.dispose()


def cmd_plugins(args) -> None:
    settings = load_settings()
    registry = _registry()
    enabled: dict[str, list[str]] = {}
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine, Scope.system())() as session:
            by_id = {t.id: t.code for t in tenants.list_tenants(session)}
            for act in tenants.activations(session):
                enabled.setdefault(act.plugin_name, []).append(by_id[act.tenant_id])
    except OperationalError as exc:
        raise CliError("databasen är inte skapad; kör 'iop db upgrade' först") from exc
    finally:
        engine.dispose()
    print("tillägg\tversion\tkommuner\taktiverat för")
    for info in sorted(registry.plugins.values(), key=lambda p: p.name):
        where = "alla (inbyggt standardförfarande)" if info.builtin else (", ".join(sorted(enabled.get(info.name, []))) or "–")
        print(f"{info.name}\t{info.version}\t{', '.join(info.kommuner)}\t{where}")


# What is wrong with a broken row, in words (core.services.audit_verify).
_PROBLEMS = {
    audit_verify.SEQ_GAP: "fel ordningsnummer, väntade seq {expected}",
    audit_verify.BROKEN_LINK: "länken är bruten: prev_hash är inte föregående rads hash",
    audit_verify.HASH_MISMATCH: "hashen stämmer inte med radens innehåll",
    audit_verify.HEAD_MISMATCH: "kedjan slutar inte där kedjans huvud anger (seq {expected}); rader saknas eller har ändrats i slutet",
    audit_verify.HEAD_MISSING: "kedjans huvud saknas i audit_chain_head",
    audit_verify.BEYOND_HEAD: "raden ligger efter kedjans huvud och är inte tillagd av plattformen",
}


def _count(n: int, one: str, many: str) -> str:
    # Below a thousand a number is written alike in every locale; loading the
    # Swedish locale's data would cost every server start (one process) 0.07 s.
    number = str(n) if 0 <= n < 1000 else format_decimal(n, locale="sv_SE")
    return f"{number} {one if n == 1 else many}"


def describe_break(broken: audit_verify.Break) -> str:
    """One line naming the first broken row: table, id, seq and what is wrong."""
    chain = "plattformens kedja" if broken.chain.tenant_code is None else f"kedjan för {broken.chain.tenant_code}"
    row = "ingen rad" if broken.row_id is None else f"id {broken.row_id}, seq {broken.seq}"
    what = _PROBLEMS[broken.problem].format(expected=broken.expected_seq)
    return f"granskningsspåret är brutet: {broken.chain.table} {row} ({chain}): {what}"


def cmd_archive_export(args) -> None:
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine, Scope.system())() as session:
            tenant = tenants.get_by_code(session, args.tenant.strip().lower())
            if tenant is None:
                raise CliError(f"det finns ingen kommun eller stadsdelsnämnd med koden {args.tenant!r}")
            try:
                package = archive.export_matter(session, tenant, args.matter, settings.documents_dir,
                                                Path(args.out))
            except archive.ArchiveError as exc:
                raise CliError(str(exc)) from exc
    except OperationalError as exc:
        raise CliError("databasen är inte skapad; kör 'iop db upgrade' först") from exc
    finally:
        engine.dispose()
    print(f"Arkivpaketet är skrivet: {package.path} ({package.files} filer, med kontrollsummor).")


def cmd_audit_verify(args) -> int:
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine, Scope.system())() as session:
            tenant = None
            if args.tenant is not None:
                tenant = tenants.get_by_code(session, args.tenant.strip().lower())
                if tenant is None:
                    raise CliError(f"det finns ingen kommun eller stadsdelsnämnd med koden {args.tenant!r}")
            result = audit_verify.verify(session, tenant)
    except (OperationalError, ProgrammingError) as exc:
        # Exit 1 means a broken chain; a database that cannot be read is bad input.
        first = str(exc.orig if exc.orig is not None else exc).strip().splitlines()[0]
        raise CliError(f"databasen går inte att läsa ({first}); kör 'iop db upgrade' om den inte är uppdaterad") from exc
    finally:
        engine.dispose()
    if result.broken is not None:
        print(f"iop: {describe_break(result.broken)}", file=sys.stderr)
        return 1
    print(f"Granskningsspåret är intakt: {_count(result.rows, 'rad', 'rader')} i "
          f"{_count(result.chains, 'kedja', 'kedjor')} kontrollerade.")
    return 0


def cmd_mail_send(args) -> None:
    import time

    from core import mailer

    settings = load_settings()
    transport = mailer.transport_for(settings)
    where = f"via {settings.smtp_url.split('@')[-1]}" if settings.smtp_url else f"till mappen {settings.mail_dir}"
    engine = make_engine(settings.database_url)
    try:
        factory = make_sessionmaker(engine, Scope.system())
        while True:
            done = mailer.deliver(factory, transport, settings.mail_from)
            if done.sent or done.retried or done.failed or not args.loop:
                print(f"E-post {where}: {_count(done.sent, 'skickat', 'skickade')}, "
                      f"{done.retried} försöks igen senare, {done.failed} misslyckade.", flush=True)
            if not args.loop:
                return
            time.sleep(args.interval)
    finally:
        engine.dispose()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="iop", description="IOP-plattformen")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="kör webbapplikationen")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=_workers, default=1, metavar="N",
                       help="antal processer (de delar bara databasen)")
    serve.set_defaults(func=cmd_serve)
    db = sub.add_parser("db", help="databasen")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="kör alla migreringar").set_defaults(func=cmd_db_upgrade)
    demo_p = sub.add_parser("demo", help="skapar en demoinstallation")
    demo_p.add_argument("--reset", action="store_true", help="tömmer databasen först")
    demo_p.set_defaults(func=cmd_demo)
    sub.add_parser("plugins", help="listar installerade tillägg").set_defaults(func=cmd_plugins)
    audit_p = sub.add_parser("audit", help="granskningsspåret")
    audit_sub = audit_p.add_subparsers(dest="audit_command", required=True)
    verify_p = audit_sub.add_parser("verify", help="kontrollerar granskningsspårets och besluten hashkedjor")
    verify_p.add_argument("--tenant", metavar="KOD", help="bara kedjorna för kommunen eller stadsdelsnämnden med koden")
    verify_p.set_defaults(func=cmd_audit_verify)
    archive_p = sub.add_parser("archive", help="arkivering")
    archive_sub = archive_p.add_subparsers(dest="archive_command", required=True)
    export_p = archive_sub.add_parser("export", help="skriver ett avslutat ärende som ett arkivpaket (zip)")
    export_p.add_argument("--tenant", required=True, metavar="KOD", help="kommunens eller stadsdelsnämndens kod")
    export_p.add_argument("--matter", required=True, metavar="DIARIENUMMER", help="ärendets diarienummer")
    export_p.add_argument("--out", default=".", metavar="KATALOG", help="där paketet skrivs (förval: här)")
    export_p.set_defaults(func=cmd_archive_export)
    deadlines_p = sub.add_parser("deadlines", help="frister och aktuella steg")
    deadlines_sub = deadlines_p.add_subparsers(dest="deadlines_command", required=True)
    refresh_p = deadlines_sub.add_parser(
        "refresh", help="räknar om det som tiden har flyttat (körs dagligen; två körningar gör inget två gånger)")
    refresh_p.add_argument("--all", action="store_true", help="räknar om alla partnerskap, t.ex. efter en uppdatering av ett tillägg")
    refresh_p.set_defaults(func=cmd_deadlines_refresh)
    sub.add_parser("remind", help="dagens påminnelser om frister, en sammanställning per person "
                   "(körs dagligen; två körningar samma dag skickar inget två gånger)").set_defaults(func=cmd_remind)
    docs_p = sub.add_parser("docs", help="skriver kommunernas regler som sidor, genererade från tilläggen")
    docs_p.add_argument("--out", default="docs/kommuner", metavar="KATALOG", help="där sidorna skrivs (förval: docs/kommuner)")
    docs_p.set_defaults(func=cmd_docs)
    mail_p = sub.add_parser("mail", help="e-post")
    mail_sub = mail_p.add_subparsers(dest="mail_command", required=True)
    send_p = mail_sub.add_parser("send", help="skickar e-post som väntar i utkorgen")
    send_p.add_argument("--loop", action="store_true", help="fortsätter och skickar nya meddelanden tills den stoppas")
    send_p.add_argument("--interval", type=float, default=5.0, metavar="SEKUNDER",
                        help="paus mellan varven med --loop (standard 5)")
    send_p.set_defaults(func=cmd_mail_send)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = args.func(args)
    except KeyboardInterrupt:
        return 130
    except (CliError, PluginError) as exc:
        print(f"iop: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        first = str(exc.orig if getattr(exc, "orig", None) else exc).strip().splitlines()[0]
        print(f"iop: databasfel: {first}", file=sys.stderr)
        return 1
    except (OSError, RuntimeError, ValueError) as exc:
        print(f"iop: {exc}", file=sys.stderr)
        return 1
    return status or 0


if __name__ == "__main__":
    sys.exit(main())
