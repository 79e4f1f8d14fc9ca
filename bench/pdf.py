"""How long a ten-page agreement takes to render as an archival PDF (issue 10,
point 6): Järva's agreement mall, filled with answers long enough for ten
pages, rendered several times; prints the pages and the median and worst
time. A figure for docs/performance.md, never a timed assertion.

    python -m bench.pdf [--runs N]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

from pypdf import PdfReader

from core import mallar
from core.mallar import CaseLine, MallContext, PartyLine
from core.registry import build_plugin_manager, build_registry

PARAGRAPH = ("Parterna arbetar tillsammans för att fler barn och unga i stadsdelsområdet ska klara skolan, "
             "få en meningsfull fritid och känna sig trygga. Arbetet följs upp med statistik över deltagande, "
             "enkäter till deltagare och vårdnadshavare och regelbundna avstämningar i arbetsgruppen. ")


def ten_pages() -> tuple:
    registry = build_registry(build_plugin_manager())
    entry = registry.kommuner["jarva"]
    mall = next(t for t in entry.templates if t.key == "overenskommelse")
    answers = {f.key: "\n\n".join([PARAGRAPH * 3] * 6) for f in mall.fields}
    parties = tuple(PartyLine(f"Föreningen Nummer {n}", "Idéburen part", f"80299{n:04d}-0000",
                              tuple((kind, "1 200 timmar per år", "Ideellt arbete i verksamheten")
                                    for kind in ("Ideella timmar", "Lokaler", "Annat"))) for n in range(3))
    ctx = MallContext(kommun="Järva stadsdelsnämnd", number="JÄR 2026/1", answers=answers, parties=parties,
                      case=CaseLine(title="Läxhjälp och fritid i Rinkeby", samhallsutmaning=PARAGRAPH * 2,
                                    goals=PARAGRAPH, period="från och med 1 januari 2027 till och med 31 december 2029"))
    return mall, entry.processes, ctx


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    mall, processes, ctx = ten_pages()
    mallar.render_pdf(mall, processes, ctx)  # the first render loads fonts and WeasyPrint itself
    times, pdf = [], b""
    for _ in range(args.runs):
        start = time.perf_counter()
        pdf = mallar.render_pdf(mall, processes, ctx)
        times.append(time.perf_counter() - start)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"agreement PDF ({pages} pages, {len(pdf) // 1024} kB), {args.runs} renders: "
          f"median {statistics.median(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
