"""The ``tenseki`` command (and ``python -m sim``), safe from its first instant.

The command's modules (pandas, typer, rich and, for a run, numba and Mesa) take half a second
to import. A Ctrl-C in that time, or in the moments between the steps a command guards itself,
must still end with one line and exit code 130, never a traceback; so the entry point is this
module, which imports nothing heavy before it can catch the interrupt (``sim/__init__.py``
imports only ``os`` and ``sys``). What comes before it, Python's own start (its ``site``
import, tens of milliseconds), is Python's to handle.
"""

from __future__ import annotations

import signal
import sys


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code (0 done, 1 failed, 2 bad input, 130 Ctrl-C)."""
    from sim import _interrupt

    previous = None
    try:
        previous = _interrupt.install()
        from sim.cli import run_app

        code = run_app(argv)
    except KeyboardInterrupt:
        return interrupted()
    finally:
        if previous is not None and signal.getsignal(signal.SIGINT) is _interrupt.on_ctrl_c:
            signal.signal(signal.SIGINT, previous)
    # A Ctrl-C swallowed somewhere and never raised again still ends as a Ctrl-C.
    return interrupted() if _interrupt.requested and code != 130 else code


def interrupted(message: str = "Interrupted.") -> int:
    """Say so in one line on stderr and return 130 (a second Ctrl-C cannot break the line)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        sys.stderr.write(message + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    return 130


if __name__ == "__main__":
    sys.exit(main())
