"""Time the dashboard in Debian's chromium: time to interactive, and a step's time on the page.

    python benchmarks/dashboard.py [--steps 10]

Starts ``tenseki dashboard`` on a free loopback port, opens the page (the first visit loads the
front end; the second is timed as a student's visit to a running server), then presses Step
and measures until the page shows the next month (model step, server render and the browser's
redraw), with and without the comparison. Then opens ``--sessions`` more tabs (each its own
model, stepped 12 months with the comparison on) and reports the server's resident memory per
session (``/proc/PID/status`` VmRSS). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from playwright.sync_api import sync_playwright  # noqa: E402

from browser import Watched, free_port, launch, start_dashboard, stop, wait_until_serving  # noqa: E402


def _rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--sessions", type=int, default=3)
    args = parser.parse_args()
    port = free_port()
    server = start_dashboard(port)
    try:
        start_s = wait_until_serving(server, port)
        with sync_playwright() as playwright:
            browser = launch(playwright)
            first = Watched(browser, f"http://127.0.0.1:{port}/").open()
            tab = Watched(browser, f"http://127.0.0.1:{port}/")
            interactive = tab.open()
            alone = [tab.step() for _ in range(args.steps)]
            tab.page.locator("label", has_text="Compare with another policy").click()
            tab.page.locator(".tenseki-compare").wait_for()
            paired = [tab.step() for _ in range(args.steps)]
            before_mb = _rss_mb(server.pid)
            tabs = []
            for _ in range(args.sessions):  # students at once: one model (and its twin) per session
                other = Watched(browser, f"http://127.0.0.1:{port}/")
                other.open()
                other.page.locator("label", has_text="Compare with another policy").click()
                other.page.locator(".tenseki-compare").wait_for()
                for _ in range(12):
                    other.step()
                tabs.append(other)
            after_mb = _rss_mb(server.pid)
            browser.close()
    finally:
        stop(server)
    print(f"server start (kernels loaded, warm-up run): {start_s:.1f} s")
    print(f"time to interactive: first visit {first:.2f} s, a visit to the running server {interactive:.2f} s")
    print(f"server memory: {before_mb:.0f} MB with 2 sessions, {after_mb:.0f} MB with {2 + args.sessions}: "
          f"{(after_mb - before_mb) / max(args.sessions, 1):.0f} MB per session (a run and its comparison, 12 months)")
    for name, times in (("one policy", alone), ("comparison", paired)):
        print(f"step on the page, {name}: median {statistics.median(times):.3f} s, max {max(times):.3f} s over {len(times)} steps")


if __name__ == "__main__":
    main()
