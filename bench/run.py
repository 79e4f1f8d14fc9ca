"""The benchmark (``make bench``; ``--smoke`` for the few-second version the
test suite runs).

For each database it builds the reference load through the project's own
services (``iop demo``: every kommun's cases walked through its real process;
then bench/load.py clones them, with their decisions, meetings, forms and
documents, to ``--per-tenant`` partnerships in each of three tenants, and to
100 in a fourth that runs the same kommun's process), serves it with
``iop serve`` and serves the bare baseline page (bench/bare.py) with the same
server settings, and prints:

- closed-loop requests/s for the case list, the filter and the bare page,
  and the ratio of each to the bare page; and the same two pages with a new
  address every request, so that none is answered from the pages the server
  keeps (web.page_cache): what rendering one costs;
- open-loop latency (p50/p95/p99) and errors at fixed arrival rates, arrivals
  scheduled in advance and latency counted from the scheduled time, so a
  server that falls behind is not excused by a client that waits for it;
- queries per page at 100 and at the reference size;
- the server's memory; how long /healthz takes during a burst of 200
  connections; and how long ``iop demo --reset`` takes until the first page.

Figures are ratios to the baseline where they can be: the machines are
shared and noisy, so absolute times vary from run to run.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RATES = (50, 100, 200)


# ---------------------------------------------------------------- a small HTTP client


@dataclass
class Result:
    status: int
    seconds: float


async def _request(reader, writer, path: str, headers: dict[str, str]) -> int:
    head = f"GET {path} HTTP/1.1\r\nHost: bench\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    writer.write(head.encode())
    await writer.drain()
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    length, chunked = 0, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readline()).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.readexactly(length)
    return status


class Client:
    """Keep-alive connections to one server, reused between requests."""

    def __init__(self, port: int, headers: dict[str, str] | None = None) -> None:
        self.port = port
        self.headers = headers or {}
        self.idle: list = []

    async def get(self, path: str) -> int:
        """The status, or 599 when no connection could carry the request. A
        kept-alive connection the server has closed is retried once on a new one."""
        reused = bool(self.idle)
        try:
            conn = self.idle.pop() if reused else await asyncio.open_connection("127.0.0.1", self.port)
        except OSError:
            return 599
        try:
            status = await _request(*conn, path, self.headers)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            conn[1].close()
            if reused:
                # The other idle connections may be closed too: start afresh.
                self.close()
                return await self.get(path)
            return 599
        self.idle.append(conn)
        return status

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


async def closed_loop(client: Client, path: str, seconds: float, concurrency: int,
                      unique: bool = False) -> tuple[float, int]:
    """Requests/s with ``concurrency`` requests always in flight; and errors.
    ``unique``: each request's address differs (a parameter the page ignores),
    so no request is answered with a page the server kept (web.page_cache)."""
    done, errors = 0, 0
    end = time.perf_counter() + seconds
    separator, serial = "&" if "?" in path else "?", itertools.count()

    async def worker():
        nonlocal done, errors
        while time.perf_counter() < end:
            status = await client.get(f"{path}{separator}n={next(serial)}" if unique else path)
            done += 1
            errors += status >= 400
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / (time.perf_counter() - started), errors


async def open_loop(client: Client, path: str, rate: int, seconds: float) -> list[Result]:
    """Arrivals at ``rate`` per second, scheduled before the run; latency from the scheduled time."""
    start = time.perf_counter() + 0.05
    schedule = [start + i / rate for i in range(int(rate * seconds))]
    results: list[Result] = []

    async def one(at: float):
        delay = at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        status = await client.get(path)
        results.append(Result(status, time.perf_counter() - at))
    await asyncio.gather(*(one(at) for at in schedule))
    return results


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# ---------------------------------------------------------------- servers


def _wait_for(port: int, timeout: float = 60) -> None:
    import socket

    end = time.time() + timeout
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            # Finely: the demo's time ends when the server first answers.
            time.sleep(0.01)
    raise RuntimeError(f"no server on port {port}")


def _serve(env: dict, port: int, bare: bool = False) -> subprocess.Popen:
    if bare:
        cmd = [str(BIN / "uvicorn"), "--factory", "bench.bare:create_app", "--port", str(port), "--log-level",
               "warning", "--http", "httptools", "--loop", "uvloop", "--no-access-log"]
    else:
        cmd = [str(BIN / "iop"), "serve", "--port", str(port)]
    # What the server logs goes to a file (a pipe nobody reads would stop the
    # server once full); the report shows its end when anything failed.
    log = open(Path(env["IOP_DATA_DIR"]) / f"server-{port}.log", "ab")
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
    log.close()
    _wait_for(port)
    return proc


def _log_tail(env: dict, port: int, lines: int = 15) -> list[str]:
    path = Path(env["IOP_DATA_DIR"]) / f"server-{port}.log"
    return path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _sign_in(port: int, email: str) -> dict[str, str]:
    """Signs in through the login form; returns the headers that carry the session."""
    import httpx

    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as c:
        page = c.get("/login")
        import re

        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text) or re.search(
            r'"x-csrftoken": "([^"]+)"', page.text)
        r = c.post("/login", data={"email": email, "password": "demo-losen-2026",
                                   "_csrf_token": token.group(1) if token else ""},
                   headers={"x-csrftoken": token.group(1) if token else ""})
        if r.status_code >= 400:
            raise RuntimeError(f"sign-in failed: {r.status_code}")
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in c.cookies.items())}


# ---------------------------------------------------------------- the load


def _env(url: str, data_dir: Path, owner_url: str | None = None) -> dict:
    env = dict(os.environ, IOP_DATABASE_URL=url, IOP_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT),
               IOP_FAST_PASSWORD_HASHES="")
    if owner_url:
        env["IOP_DATABASE_OWNER_URL"] = owner_url
    return env


# A fixed piece of work for the interpreter, timed just before the demo: the
# demo's time is absolute, and on a shared machine it moves with the minute;
# this says how fast the machine was at that minute.
_LOOP = "import time\nt = time.perf_counter()\ns = 0\nfor i in range(10_000_000):\n    s += i\nprint(time.perf_counter() - t)"


def _loop_seconds() -> float:
    out = subprocess.run([sys.executable, "-c", _LOOP], check=True, capture_output=True, text=True)
    return float(out.stdout)


def _demo_seconds(env: dict, port: int) -> float:
    """``iop demo --reset`` until the first page has been served. The
    benchmark's own client is ready before the clock starts: importing httpx
    and making a client (its TLS context) took 0.15 to 0.3 s."""
    import httpx

    client = httpx.Client()
    started = time.perf_counter()
    subprocess.run([str(BIN / "iop"), "demo", "--reset"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    server = _serve(env, port)
    try:
        client.get(f"http://127.0.0.1:{port}/login").raise_for_status()
        return time.perf_counter() - started
    finally:
        client.close()
        server.terminate()
        server.wait()


def _grow(env: dict, per_tenant: int, small: int) -> int:
    """Clones each demo tenant's cases to ``per_tenant`` (the second Tyresö
    förvaltning to ``small``). Returns how many documents there are."""
    code = f"""
import sys
from sqlalchemy import func, select
from bench.load import analyze, clone_partnerships
from core.config import load_settings
from core.db import make_engine, make_sessionmaker
from core.models import Document, Partnership, Tenant
from core.tenancy import Scope
settings = load_settings()
engine = make_engine(settings.database_url)
# No registry: the clones copy their sources' stored state; nothing to recompute.
with make_sessionmaker(engine, Scope.system())() as s:
    for tenant in s.scalars(select(Tenant)).all():
        target = {small} if tenant.code == "tyreso-kultur" else {per_tenant}
        ids = list(s.scalars(select(Partnership.id).where(Partnership.tenant_id == tenant.id).order_by(Partnership.id)))
        if ids and target > len(ids):
            clone_partnerships(s, ids, target - len(ids), documents_dir=settings.documents_dir)
            s.commit()
    print(s.scalar(select(func.count()).select_from(Document)))
engine.dispose()
analyze(settings.migration_url)
"""
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1])


def _queries(env: dict) -> dict[str, tuple[int, int]]:
    """Queries per page in the small tenant and the large one of the same
    kommun, rendered (no page kept: a kept one costs one query at any size)."""
    code = """
import json
from litestar.testing import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from web.app import create_app
pages = ["/k/{t}/", "/k/{t}/?q=fall&status=pagaende", "/k/{t}/?frister=alla", "/k/{t}/?sida=3",
         "/k/{t}/organisationer/", "/k/{t}/process", "/api/v1/k/{t}/partnerships"]
counts = {}
statements = []
event.listen(Engine, "before_cursor_execute", lambda *a: statements.append(1))
from core.registry import build_plugin_manager, build_registry
roles = build_registry(build_plugin_manager()).kommuner["tyreso"].roles.roles
officer = next(r.key for r in roles if r.generic_role == "case_officer")
import re
for tenant in ("tyreso-kultur", "tyreso"):
    # Two förvaltningar running Tyresö's process: 100 partnerships in one, the reference size in the other.
    with TestClient(create_app(), base_url="http://bench.local") as c:
        page = c.get("/login")
        token = re.search(r'"x-csrftoken": "([^"]+)"', page.text).group(1)
        c.post("/login", data={"email": f"{officer}@{tenant}.demo", "password": "demo-losen-2026"},
               headers={"x-csrftoken": token})
        for p in pages:
            statements.clear()
            r = c.get(p.format(t=tenant))
            counts.setdefault(p, []).append(len(statements) if r.status_code == 200 else -r.status_code)
print(json.dumps(counts))
"""
    import json

    out = subprocess.run([sys.executable, "-c", code], env={**env, "IOP_PAGE_CACHE_MB": "0"}, cwd=ROOT, check=True,
                         capture_output=True, text=True)
    return {k: tuple(v) for k, v in json.loads(out.stdout.strip().splitlines()[-1]).items()}


async def _burst(port: int, headers: dict, path: str, connections: int = 200) -> tuple[float, int]:
    """``connections`` clients send one request each at once; meanwhile, how
    long does /healthz take?"""
    async def one():
        c = Client(port, headers)
        status = await c.get(path)
        c.close()
        return status
    burst = [asyncio.ensure_future(one()) for _ in range(connections)]
    await asyncio.sleep(0.05)
    health = Client(port)
    started = time.perf_counter()
    await health.get("/healthz")
    seconds = time.perf_counter() - started
    health.close()
    statuses = await asyncio.gather(*burst)
    return seconds, sum(1 for s in statuses if s == 503)


# ---------------------------------------------------------------- one database


def run_one(name: str, url: str, owner_url: str | None, per_tenant: int, seconds: float, smoke: bool) -> dict:
    data = Path(tempfile.mkdtemp(prefix=f"iop-bench-{name}-"))
    env = _env(url, data, owner_url)
    port, bare_port = 8700 + (name == "postgresql"), 8710 + (name == "postgresql")
    report: dict = {"database": name}
    try:
        report["loop_seconds"] = _loop_seconds()
        report["demo_seconds"] = _demo_seconds(env, port)
        started = time.perf_counter()
        report["documents"] = _grow(env, per_tenant, min(100, per_tenant))
        report["seed_seconds"] = time.perf_counter() - started
        report["queries"] = _queries(env)
        server, bare = _serve(env, port), _serve(env, bare_port, bare=True)
        try:
            headers = _sign_in(port, "handlaggare@jarva.demo")
            report.update(asyncio.run(_measure(port, bare_port, headers, seconds, smoke)))
            report["rss_mb"] = _rss_mb(server.pid)
        finally:
            for proc in (server, bare):
                proc.terminate()
                proc.wait()
            report["server_log"] = _log_tail(env, port)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return report


LIST = "/k/jarva/"
FILTER = "/k/jarva/?q=f%C3%B6r&status=pagaende"


async def _measure(port: int, bare_port: int, headers: dict, seconds: float, smoke: bool) -> dict:
    app, bare = Client(port, headers), Client(bare_port)
    fragment = Client(port, {**headers, "HX-Request": "true", "HX-Target": "results"})
    out: dict = {}
    # Warm both up, then measure side by side.
    await closed_loop(app, LIST, min(0.5, seconds), 2)
    await closed_loop(bare, "/", min(0.5, seconds), 2)
    out["bare_rps"], _ = await closed_loop(bare, "/", seconds, 4)
    out["list_rps"], out["list_errors"] = await closed_loop(app, LIST, seconds, 4)
    out["filter_rps"], out["filter_errors"] = await closed_loop(fragment, FILTER, seconds, 4)
    # The same pages rendered every time: what a page costs when nothing is kept.
    out["list_rendered_rps"], _ = await closed_loop(app, LIST, seconds, 4, unique=True)
    out["filter_rendered_rps"], _ = await closed_loop(fragment, FILTER, seconds, 4, unique=True)
    out["open_loop"] = {}
    for rate in RATES if not smoke else (20,):
        for label, client, path in (("list", app, LIST), ("filter", fragment, FILTER)):
            results = await open_loop(client, path, rate, seconds)
            ok = [r.seconds for r in results if r.status < 400]
            out["open_loop"][(label, rate)] = (percentile(ok, 50), percentile(ok, 95), percentile(ok, 99),
                                               sum(r.status >= 500 for r in results), len(results),
                                               Counter(r.status for r in results if r.status >= 500))
        # After shedding at the highest rate, the server answers normally again within a second.
        await asyncio.sleep(min(1, seconds))
    started = time.perf_counter()
    status = await app.get(LIST)
    out["recovery"] = (status, time.perf_counter() - started)
    out["burst_health_seconds"], out["burst_shed"] = await _burst(port, headers, LIST, 20 if smoke else 200)
    for c in (app, bare, fragment):
        c.close()
    return out


# ---------------------------------------------------------------- the report


def print_report(r: dict, per_tenant: int) -> None:
    print(f"\n== {r['database']}: {per_tenant:,} partnerships per tenant, {r['documents']:,} documents "
          f"(seeded in {r['seed_seconds']:.0f} s)")
    bare = r["bare_rps"]
    print(f"  bare page              {bare:8.0f} req/s")
    print(f"  case list              {r['list_rps']:8.0f} req/s  {r['list_rps'] / bare:6.1%} of bare  "
          f"errors {r['list_errors']}")
    print(f"  filter (htmx)          {r['filter_rps']:8.0f} req/s  {r['filter_rps'] / bare:6.1%} of bare  "
          f"errors {r['filter_errors']}")
    for label, key in (("case list, rendered", "list_rendered_rps"), ("filter, rendered", "filter_rendered_rps")):
        print(f"  {label:22s} {r[key]:8.0f} req/s  {r[key] / bare:6.1%} of bare  (every request a new address:"
              " no page kept)")
    print("  open loop                 p50      p95      p99   5xx/requests")
    for (label, rate), (p50, p95, p99, errors, n, statuses) in r["open_loop"].items():
        # 503: shed by admission (web/admission.py); 599: no connection could carry the request.
        which = f"  ({', '.join(f'{s}: {c}' for s, c in sorted(statuses.items()))})" if statuses else ""
        print(f"  {label:6s} at {rate:3d}/s    {p50 * 1000:6.1f}ms {p95 * 1000:6.1f}ms {p99 * 1000:6.1f}ms   "
              f"{errors}/{n}{which}")
    status, seconds = r["recovery"]
    print(f"  after the highest rate: {status} in {seconds * 1000:.0f} ms")
    print(f"  queries per page         at {min(100, per_tenant):,}  at {per_tenant:,}")
    for page, (small, large) in r["queries"].items():
        print(f"    {page:36s} {small:5d}  {large:5d}{'' if small == large else '   DIFFERS'}")
    print(f"  server memory          {r['rss_mb']:8.0f} MB")
    print(f"  /healthz during a burst {r['burst_health_seconds'] * 1000:7.0f} ms ({r['burst_shed']} shed with 503)")
    print(f"  iop demo --reset to first page {r['demo_seconds']:5.1f} s  (a loop of ten million additions just "
          f"before: {r['loop_seconds']:.2f} s)")
    failed = any(statuses for *_, statuses in r["open_loop"].values()) or r["list_errors"] or r["filter_errors"]
    if failed and r.get("server_log"):
        print("  the end of the server's log:")
        for line in r["server_log"]:
            print(f"    {line}")


def _postgres(name: str, create: bool = True) -> tuple[str, str]:
    """A fresh database for the run: (the application's URL, the owner's);
    ``create=False`` only drops it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = make_url(os.environ.get("IOP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if create:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    owner = admin.set(database=name).render_as_string(hide_password=False)
    app = admin.set(database=name, username="iop_bench_app", password=None).render_as_string(hide_password=False)
    return app, owner


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-tenant", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--smoke", action="store_true", help="a small load and short runs: checks that it works")
    args = parser.parse_args(argv)
    if args.smoke:
        args.per_tenant, args.seconds = 30, 0.25
    for name in args.db.split(","):
        # The load is removed after the run: at the reference size it is
        # hundreds of megabytes per database.
        if name == "sqlite":
            tmp = Path(tempfile.mkdtemp(prefix="iop-bench-db-"))
            url, owner = f"sqlite:///{tmp / 'iop.sqlite3'}", None
            remove = functools.partial(shutil.rmtree, tmp, ignore_errors=True)
        else:
            database = f"iop_bench_{os.getpid()}"
            url, owner = _postgres(database)
            remove = functools.partial(_postgres, database, create=False)
        try:
            report = run_one(name, url, owner, args.per_tenant, args.seconds, args.smoke)
        finally:
            remove()
        print_report(report, args.per_tenant)
    return 0


if __name__ == "__main__":
    sys.exit(main())
