"""The benchmark keeps working: its smoke version (a small load, a quarter of a second per
measurement) runs end to end on SQLite and prints every figure. The full run
is `make bench`; its figures are in docs/performance.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_benchmark_smoke_run_prints_every_figure():
    out = subprocess.run([sys.executable, "-m", "bench.run", "--smoke", "--db", "sqlite"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    print(out.stdout)
    for figure in ("bare page", "case list", "of bare", "filter (htmx)", "p95", "queries per page", "server memory",
                   "/healthz during a burst", "iop demo --reset to first page"):
        assert figure in out.stdout
    assert "DIFFERS" not in out.stdout


def test_the_agreement_pdf_benchmark_renders_ten_pages():
    """Issue 10, point 6: its figure is in docs/performance.md; here only that it runs."""
    out = subprocess.run([sys.executable, "-m", "bench.pdf", "--runs", "1"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    print(out.stdout)
    assert "agreement PDF (10 pages" in out.stdout and "median" in out.stdout
