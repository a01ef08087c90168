"""Turn the load test's steps into the load-test section of docs/benchmarks.md.

Usage: python tests/bench/loadtest_report.py var/loadtest/steps.json
Exit status 1 when the ceiling is below the target (1,000 users at p95 ≤ 500 ms, no errors).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"
START, END = "<!-- load-results -->", "<!-- /load-results -->"
TARGET_USERS = 1000
BUDGET_MS = 500


def ceiling(steps: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The last step that held, counting from the first (a step after a miss is not run)."""
    last = None
    for step in steps:
        if not step["held"]:
            break
        last = step
    return last


def _logins(times: list[float]) -> str:
    if not times:
        return ""
    ordered = sorted(times)
    p50 = ordered[len(ordered) // 2]
    return (
        f" {len(ordered)} users logged in with their password during the test "
        f"(login page and password check: median {p50:.0f} ms); the others started signed in."
    )


def section(data: dict[str, Any]) -> tuple[str, bool]:
    steps = data["steps"]
    top = ceiling(steps)
    users = top["users"] if top else 0
    met = users >= TARGET_USERS
    verdict = "✅ met" if met else "❌ missed"
    when = time.strftime("%Y-%m-%d %H:%M %Z")
    cores = os.cpu_count()
    lines = [
        f"Measured {when} on {cores} cores: the ceiling is **{users} human-paced users** "
        f"at p95 ≤ {BUDGET_MS} ms with no errors — target {TARGET_USERS}: {verdict}. "
        f"Each step ran {data['step_seconds']} s; its first {data['settle_seconds']} s, "
        f"while its new users arrived, are left out.{_logins(data.get('logins', []))}",
        "",
        "| users | requests | per second | failures | p50 ms | p95 ms | p99 ms | held |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for step in steps:
        lines.append(
            f"| {step['users']} | {step['requests']} | {step['per_second']} "
            f"| {step['failures']} | {step['p50']:.0f} | {step['p95']:.0f} "
            f"| {step['p99']:.0f} | {'✅' if step['held'] else '❌'} |"
        )
    shown = top or (steps[0] if steps else None)
    if shown:
        lines += [
            "",
            f"Pages at {shown['users']} users:",
            "",
            "| page | requests | p50 ms | p95 ms |",
            "|---|---|---|---|",
        ]
        for name, page in shown["pages"].items():
            lines.append(f"| {name} | {page['requests']} | {page['p50']:.0f} | {page['p95']:.0f} |")
    failed = [step for step in steps if step["failures"]]
    for step in failed:
        lines.append(f"\nErrors at {step['users']} users: {step['failed_pages']}")
    return "\n".join(lines), met


def main(steps_json: str) -> int:
    try:
        data = json.loads(Path(steps_json).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"no step figures ({error}): the load test did not finish a step")
        return 1
    body, met = section(data)
    block = f"{START}\n\n{body}\n\n{END}"
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    if START in text and END in text:
        text = text.split(START)[0] + block + text.split(END)[1]
    else:
        text = text + "\n\n## Load test\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")
    print(body)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
