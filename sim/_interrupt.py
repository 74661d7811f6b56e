"""The process's record of a Ctrl-C, from the command's first instant to its last.

Python turns SIGINT into a KeyboardInterrupt wherever the main thread is, and C code can swallow
it (numpy probing enum members during an import, numba calling back into Python while it
compiles). A Ctrl-C swallowed before a command's own guard (``cli._CtrlC``) is in place would be
lost, and the command would carry on to the end. So the entry point (``sim.__main__``) installs
this handler before importing anything heavy: it records the request and raises; the guard takes
the record over (its first check raises again), and the entry point, if a command ever returns
normally after a recorded Ctrl-C, still ends with the Ctrl-C's exit code. Imports only ``signal``.
"""

from __future__ import annotations

import signal

#: Has a Ctrl-C been asked for in this process (since ``install``)?
requested = False


def on_ctrl_c(signum: int, frame: object) -> None:
    """SIGINT handler: record the request and raise where Python can."""
    global requested
    if requested:  # a second Ctrl-C while the first is being handled
        return
    requested = True
    raise KeyboardInterrupt


def install() -> object | None:
    """Install ``on_ctrl_c`` unless SIGINT is ignored or handled by someone else; the previous
    handler (to restore), or None if nothing was installed."""
    global requested
    requested = False
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return None
    return signal.signal(signal.SIGINT, on_ctrl_c)
