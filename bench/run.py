"""``make bench``: run every bench/bench_*.py and print one table of medians and ratios.

Each module provides ``rows() -> list[dict]`` with keys "bench", "case", "median_s" and
optionally "baseline_case", "ratio", "target" (text) and "note".
"""

from __future__ import annotations

import importlib.util
import sys
import traceback
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fmt_seconds(value: Any) -> str:
    if not isinstance(value, (int, float)):
        return "" if value is None else str(value)
    if value >= 1:
        return f"{value:.3f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.1f} ms"
    return f"{value * 1e6:.1f} us"


def main(argv: list[str]) -> int:
    only = set(argv)
    rows: list[dict[str, Any]] = []
    failed = 0
    for path in sorted(HERE.glob("bench_*.py")):
        if only and path.stem not in only and path.stem.removeprefix("bench_") not in only:
            continue
        print(f"running {path.name} ...", file=sys.stderr, flush=True)
        try:
            rows.extend(_load(path).rows())
        except Exception:  # noqa: BLE001 - one broken bench must not hide the others
            failed += 1
            traceback.print_exc()
    headers = ["bench", "case", "median", "ratio", "baseline", "target", "note"]
    table = [
        [
            str(r.get("bench", "")),
            str(r.get("case", "")),
            str(r["median"]) if "median" in r else _fmt_seconds(r.get("median_s")),
            f"{r['ratio']:.2f}x" if isinstance(r.get("ratio"), (int, float)) else "",
            str(r.get("baseline_case") or ""),
            str(r.get("target") or ""),
            str(r.get("note") or ""),
        ]
        for r in rows
    ]
    widths = [
        max(len(h), *(len(row[i]) for row in table)) if table else len(h)
        for i, h in enumerate(headers)
    ]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
    print("  ".join("-" * w for w in widths))
    for row in table:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
