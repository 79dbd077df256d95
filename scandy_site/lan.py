"""The machine's names and addresses on the workshop network, for `make run HOST=0.0.0.0`.

A tablet reaches Scandy by the machine's name (`werkstatt-pc`, `werkstatt-pc.local` via mDNS, its DNS
name) or by one of its addresses; the LAN settings allow exactly those as hosts, so no ALLOWED_HOSTS
needs to be set. Plain Python (no Django): the run script and the settings both use it.
"""

import ipaddress
import itertools
import socket
from pathlib import Path

# A bind address meaning "every interface".
ANY_ADDRESS = ("0.0.0.0", "::", "")


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text().splitlines()
    except OSError:  # not Linux, or /proc not mounted
        return []


def _fib_trie(path=Path("/proc/net/fib_trie")) -> set[str]:
    """Linux: every IPv4 address of the machine (a `|-- a.b.c.d` line followed by `/32 host LOCAL`)."""
    lines = _lines(path)
    found = set()
    for previous, line in itertools.pairwise(lines):
        if line.strip() == "/32 host LOCAL" and previous.strip().startswith("|--"):
            found.add(previous.strip()[3:].strip())
    return found


def _if_inet6(path=Path("/proc/net/if_inet6")) -> set[str]:
    """Linux: the machine's IPv6 addresses, link-local ones left out (they need a zone to be typed)."""
    found = set()
    for line in _lines(path):
        fields = line.split()
        if len(fields) >= 4 and fields[3] != "20":  # scope 0x20: link-local
            found.add(str(ipaddress.IPv6Address(bytes.fromhex(fields[0]))))
    return found


def _default_route() -> set[str]:
    """The address the machine sends from (no packet leaves: a UDP socket only picks its route)."""
    found = set()
    for family, target in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as probe:
                probe.connect((target, 9))
                found.add(probe.getsockname()[0])
        except OSError:
            continue
    return found


def _resolved(name: str) -> set[str]:
    try:
        return {info[4][0] for info in socket.getaddrinfo(name, None)}
    except OSError:
        return set()


def local_addresses() -> list[str]:
    """The machine's addresses, IPv4 first, loopback included."""
    found = _fib_trie() | _if_inet6() | _default_route() | _resolved(socket.gethostname())
    addresses = set()
    for text in found:
        try:
            address = ipaddress.ip_address(text.split("%", 1)[0])
        except ValueError:
            continue
        if not address.is_link_local and not address.is_unspecified:
            addresses.add(address)
    return [str(a) for a in sorted(addresses, key=lambda a: (a.version, a.is_loopback, a))]


def machine_names() -> list[str]:
    """The names the machine goes by: its host name, that name with `.local` (mDNS) and its DNS name."""
    names = []
    for name in (socket.gethostname(), socket.getfqdn()):
        name = name.strip().lower().rstrip(".")
        if not name or name == "localhost":
            continue
        short = name.split(".", 1)[0]
        names += [name, short, f"{short}.local"]
    return list(dict.fromkeys(names))


def host_entry(address: str) -> str:
    """An address as the Host header (and so ALLOWED_HOSTS) spells it: IPv6 in brackets."""
    return f"[{address}]" if ":" in address and not address.startswith("[") else address


def allowed_hosts(bind: str) -> list[str]:
    """Every name and address that reaches a server bound to `bind`."""
    hosts = ["localhost", "127.0.0.1", "[::1]"]
    if bind in ANY_ADDRESS:
        hosts += machine_names() + [host_entry(a) for a in local_addresses()]
    else:
        hosts.append(host_entry(bind))
    return list(dict.fromkeys(hosts))


def urls(bind: str, port: int) -> list[str]:
    """Where people can reach the server: names first, then addresses of the bound family."""
    if bind not in ANY_ADDRESS:
        return [f"http://{host_entry(bind)}:{port}/"]
    ipv6 = bind == "::"
    addresses = [a for a in local_addresses() if not ipaddress.ip_address(a).is_loopback and (ipv6 or ":" not in a)]
    return [f"http://{host_entry(host)}:{port}/" for host in [*machine_names()[:1], *addresses]] or [
        f"http://127.0.0.1:{port}/"
    ]
