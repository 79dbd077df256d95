"""`make bench`: runs every benchmark, prints the numbers and writes them to bench/results/.

Usage: python -m bench [name ...]   (names: see BENCHMARKS below)
"""

import sys

from bench import backups, cetec, events, integrations, lending, tickets, timesheets

BENCHMARKS = {
    "lending": lending.run,
    "tickets": tickets.run,
    "backups": backups.run,
    "integrations": integrations.run,
    "cetec": cetec.run,
    "timesheets": timesheets.run,
    "events": events.run,
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    failed = []
    for name in names:
        if not BENCHMARKS[name]():
            failed.append(name)
    if failed:
        print(f"targets missed: {', '.join(failed)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
