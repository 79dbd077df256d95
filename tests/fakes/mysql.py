"""A TCP stand-in in front of (or instead of) MySQL/MariaDB, for the CETEC backup-database checks:

- `"proxy"`: forwards to the real server and counts connections and queries; with `delay_on` set, a
  query whose packet contains those bytes is held back `delay` seconds (a slow server);
- `"silent"`: accepts connections and never says a word (a server that hangs before its greeting);
- `"garbage"`: answers with something that is not the MySQL protocol, and hangs up.
"""

import contextlib
import socket
import threading

COM_QUERY = 0x03


class FakeMySQL:
    def __init__(self, mode: str = "proxy", *, upstream=("127.0.0.1", 3306), delay_on: bytes | None = None,
                 delay: float = 0.0):  # fmt: skip
        assert mode in ("proxy", "silent", "garbage")
        self.mode = mode
        self.upstream = upstream
        self.delay_on = delay_on
        self.delay = delay
        self.connections = 0
        self.queries: list[bytes] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._sockets: list[socket.socket] = []
        self._listener = None

    @property
    def port(self) -> int:
        return self._listener.getsockname()[1]

    def url(self, user="root", password="") -> str:
        return f"mysql://{user}:{password}@127.0.0.1:{self.port}"

    def start(self):
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        threading.Thread(target=self._accept, name="FakeMySQL", daemon=True).start()
        return self

    def stop(self):
        self._stopping.set()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in [self._listener, *sockets]:
            with contextlib.suppress(OSError):
                sock.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _keep(self, sock):
        with self._lock:
            self._sockets.append(sock)
        return sock

    def _accept(self):
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
            self._keep(client)
            if self.mode == "garbage":
                with contextlib.suppress(OSError):
                    client.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                    client.close()
            elif self.mode == "proxy":
                server = self._keep(socket.create_connection(self.upstream, timeout=5))
                server.settimeout(None)
                client.settimeout(None)
                threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
                threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()
            # "silent": keep the socket open and never answer.

    def _pump(self, source, target, from_client: bool):
        try:
            while not self._stopping.is_set():
                data = source.recv(65536)
                if not data:
                    break
                if from_client and len(data) > 4 and data[4] == COM_QUERY:
                    with self._lock:
                        self.queries.append(data[5:])
                    if self.delay_on and self.delay_on in data:
                        self._stopping.wait(self.delay)
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
