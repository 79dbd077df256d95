"""What `make test` needs from the system besides Python, checked before the suite runs:

    python -m tests.system_check

Chromium drives the browser tests, GNU gettext (msgfmt) checks the translations, Pango renders PDFs
(weasyprint). Prints what is missing and how to install it (Debian/Ubuntu), exit code 1 then."""

import ctypes.util
import shutil
import sys
from pathlib import Path

# (what, Debian packages, found?)
CHECKS = (
    ("Chromium (browser tests)", "chromium", lambda: Path("/usr/bin/chromium").exists() or shutil.which("chromium")),
    ("GNU gettext (msgfmt, translations)", "gettext", lambda: shutil.which("msgfmt")),
    (
        "Pango (PDF output)",
        "libpango-1.0-0 libpangoft2-1.0-0",
        lambda: ctypes.util.find_library("pango-1.0") and ctypes.util.find_library("pangoft2-1.0"),
    ),
)


def missing() -> list[tuple[str, str]]:
    return [(what, packages) for what, packages, found in CHECKS if not found()]


def main() -> int:
    lacking = missing()
    if not lacking:
        return 0
    print("make test needs these from the system, and they are missing:", file=sys.stderr)
    for what, _packages in lacking:
        print(f"  - {what}", file=sys.stderr)
    packages = " ".join(p for _what, p in lacking)
    print(f"Install them (Debian/Ubuntu): sudo apt-get install {packages}", file=sys.stderr)
    print("(or run `.venv/bin/python -m pytest` to run the suite without what needs them)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
