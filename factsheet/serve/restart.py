"""A change to the generator's own code restarts the server process (exec, same PID, same
listening socket), so every module, this package included, runs the new code with no stale
state. The new code is first imported in a child process: if that fails, the server keeps
running the old code and shows the error like any failed build.

The listening sockets are handed to the new process by file descriptor, so a request that
arrives during the restart waits in the socket's backlog instead of being refused; tabs whose
WebSocket reconnects soon after the restart are reloaded once.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from .watch import PACKAGE_DIR

PROJECT_DIR = PACKAGE_DIR.parent
FDS_VARIABLE = "FACTSHEET_SERVE_FDS"  # listening sockets inherited across the restart
RESTARTED_VARIABLE = "FACTSHEET_SERVE_RESTARTED"
RELOAD_GRACE = 15.0  # seconds after a restart in which a reconnecting tab is reloaded
PROBE = "import factsheet.site, factsheet.pipeline, factsheet.serve.loop"


def is_code(path: str, build_script: Path) -> bool:
    """Python source of the generator's package, or the command line itself."""
    return (path.endswith(".py") and PACKAGE_DIR in Path(path).parents) or Path(
        path
    ) == build_script


def import_problem(build_script: Path) -> str | None:
    """None if the changed generator imports cleanly, else one `path:line: message` line."""
    probe = [sys.executable, "-c", PROBE]
    if build_script.is_file():
        probe[-1] += (
            f"; compile(open({str(build_script)!r}, 'rb').read(), {str(build_script)!r}, 'exec')"
        )
    result = subprocess.run(
        probe, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=60, check=False
    )
    if result.returncode == 0:
        return None
    return describe_traceback(result.stderr)


def describe_traceback(stderr: str) -> str:
    """`path:line: Kind: message` from a child's traceback: the last frame in the project."""
    lines = stderr.strip().splitlines()
    message = lines[-1].strip() if lines else "the new code does not import"
    place = "factsheet"
    for found in re.finditer(r'File "([^"]+)", line (\d+)', stderr):
        path = Path(found.group(1))
        if PROJECT_DIR in path.parents and ".venv" not in path.parts:
            place = f"{path.relative_to(PROJECT_DIR).as_posix()}:{found.group(2)}"
    return f"{place}: {message}"


def inherited_sockets() -> list[socket.socket] | None:
    """The listening sockets of the process this one replaced, if it is a restart."""
    fds = os.environ.pop(FDS_VARIABLE, "")
    if not fds:
        return None
    sockets = [socket.socket(fileno=int(fd)) for fd in fds.split(",")]
    for sock in sockets:  # as tornado's bind_sockets leaves them (and a later dup() keeps them)
        sock.setblocking(False)
    return sockets


def restarted() -> bool:
    return os.environ.pop(RESTARTED_VARIABLE, "") == "1"


def reexec(sockets: Iterable[socket.socket]) -> None:
    """Replace this process with a fresh `build.py serve` on the same sockets (never returns)."""
    fds = []
    for sock in sockets:
        sock.set_inheritable(True)
        fds.append(str(sock.fileno()))
    os.environ[FDS_VARIABLE] = ",".join(fds)
    os.environ[RESTARTED_VARIABLE] = "1"
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, sys.orig_argv)  # noqa: S606 - the same command, no shell
