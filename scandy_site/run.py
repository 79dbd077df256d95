"""`make run`: migrate, ensure the schedules, then serve with gunicorn and run the django-q2 worker beside it.

    python -m scandy_site.run [--host 127.0.0.1] [--port 8000]

Both run as children in sessions of their own, so that this process alone decides how they stop: Ctrl-C
or a TERM (to this process or to its whole process group) sends each one TERM. gunicorn then finishes the
requests in flight, django-q2's main process stops its worker processes in order (a signal to all of them
at once would leave it hanging). A second Ctrl-C kills both at once. If either child ends by itself, the
other is stopped too and this exits with an error. On Linux the children also get TERM should this process
be killed outright, so nothing is left behind.

Settings: `scandy_site.settings.lan` (DEBUG off, whitenoise, plain HTTP; see that module for the hosts).
"""

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from scandy_site.lan import urls

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "scandy_site.settings.lan"
# gunicorn waits up to graceful_timeout (30 s) for requests in flight; the worker for its running tasks.
STOP_SECONDS = 45
_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """Linux: the child gets TERM when this process dies, however it dies."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, check=True)


def _start(command: list[str]) -> subprocess.Popen:
    preexec = _die_with_parent if sys.platform.startswith("linux") else None
    return subprocess.Popen(command, cwd=ROOT, start_new_session=True, preexec_fn=preexec)


class _Stop:
    def __init__(self):
        self.requested = 0

    def __call__(self, signum, frame):
        self.requested += 1


def _stop(children: dict[str, subprocess.Popen], stop: _Stop) -> None:
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    asked = stop.requested
    deadline = time.monotonic() + STOP_SECONDS
    while any(c.poll() is None for c in children.values()):
        if time.monotonic() > deadline or stop.requested > asked:
            for child in children.values():
                if child.poll() is None:
                    child.kill()
        time.sleep(0.1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scandy_site.run", description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--host", default=os.environ.get("HOST") or "127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
    options = parser.parse_args(argv)

    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    # Read by gunicorn.conf.py (the bind address) and by the LAN settings (the allowed hosts).
    os.environ["HOST"], os.environ["PORT"] = options.host, str(options.port)
    os.environ.pop("GUNICORN_BIND", None)

    stop = _Stop()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    try:
        _manage("migrate", "--noinput")
        _manage("setup_schedules")
    except subprocess.CalledProcessError as exc:
        return exc.returncode or 1
    if stop.requested:
        return 130

    children = {
        "worker": _start([sys.executable, str(ROOT / "manage.py"), "qcluster"]),
        "web server": _start([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")]),
    }
    instance = os.environ.get("SCANDY_INSTANCE", "main")
    print(f"Scandy ({instance}) on {', '.join(urls(options.host, options.port))} (worker running beside it)")
    print("Ctrl-C stops the web server and the worker.", flush=True)
    failed = None
    while not stop.requested and failed is None:
        failed = next((name for name, child in children.items() if child.poll() is not None), None)
        time.sleep(0.2)
    _stop(children, stop)
    if failed is not None:
        print(f"The {failed} stopped (exit code {children[failed].returncode}); stopped the rest.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
