"""Turn locust's CSV summary into the load-test section of docs/benchmarks.md."""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"
START, END = "<!-- load-results -->", "<!-- /load-results -->"


def _logins(path: str) -> str:
    try:
        times = sorted(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return "The logins did not all complete, so the figures include the ramp."
    if not times:
        return ""
    p50 = times[len(times) // 2]
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return (
        f"Before the figures start, the {len(times)} users logged in one after another "
        f"(login page and password check: p50 {p50:.0f} ms, p95 {p95:.0f} ms)."
    )


def main(stats_csv: str, users: str, duration: str, logins: str = "") -> int:
    rows = list(csv.DictReader(Path(stats_csv).open(encoding="utf-8")))
    lines = [
        "| page | requests | failures | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|---|---|",
    ]
    total = None
    for row in rows:
        line = (
            f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} "
            f"| {row['50%']} | {row['95%']} | {row['99%']} |"
        )
        if row["Name"] == "Aggregated":
            total = row
        elif row["Request Count"] != "0":  # the logins, reset before the figures start
            lines.append(line)
    if total is not None:
        lines.append(
            f"| **all** | {total['Request Count']} | {total['Failure Count']} "
            f"| {total['50%']} | {total['95%']} | {total['99%']} |"
        )
    p95 = float(total["95%"]) if total else float("inf")
    failures = int(total["Failure Count"]) if total else -1
    verdict = "✅ met" if p95 <= 500 and failures == 0 else "❌ missed"
    section = (
        f"{START}\n\n{users} users for {duration}, measured {time.strftime('%Y-%m-%d %H:%M %Z')}"
        f": budget p95 ≤ 500 ms and no errors — {verdict} (p95 {p95:.0f} ms, "
        f"{failures} failures). {_logins(logins)}\n\n" + "\n".join(lines) + f"\n\n{END}"
    )
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    if START in text and END in text:
        text = text.split(START)[0] + section + text.split(END)[1]
    else:
        text = text + "\n\n## Load test\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")
    print("\n".join(lines))
    print(verdict)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
