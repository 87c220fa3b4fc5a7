"""HTTP/1.1 to the Runtime API over one keep-alive socket, standard library only.

What the runtime needs of http.client, without its imports (email, ssl: ~20 ms of a
cold start in the image). One exchange at a time; bodies by Content-Length, chunked,
or to the connection's close; 1xx interim answers skipped. Header names and values are
checked as http.client checks them, so nothing can split a request.
"""

import re
import socket

_TOKEN = re.compile(rb"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_BAD_VALUE = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
_BAD_REQUEST_LINE = re.compile(r"[\x00-\x20\x7f]")
_MAX_HEAD = 64 * 1024


class ProtocolError(RuntimeError):
    """The server's answer is not HTTP/1.1 this client can read."""


class Disconnected(ConnectionError):
    """The server closed a reused connection before answering: the request may be sent again."""


class Headers:
    """Response headers by case-insensitive name; the first of repeated names is kept."""

    def __init__(self):
        self._by_name = {}

    def add(self, name, value):
        self._by_name.setdefault(name.lower(), value)

    def get(self, name, default=None):
        return self._by_name.get(name.lower(), default)

    def pop(self, name, default=None):
        return self._by_name.pop(name.lower(), default)


class Connection:
    def __init__(self, host, port):
        self._address = (host, port)
        self._host_header = f"{host}:{port}".encode("latin-1")
        self._sock = None
        self._buf = bytearray()
        # Bytes read of the current exchange's answer: a retry is safe only while none came.
        self._received = 0

    def close(self):
        if self._sock is not None:
            self._sock.close()
        self._sock = None
        self._buf = bytearray()

    def request(self, method, path, body=None, headers=None):
        """Sends one request; returns (status, Headers, body bytes)."""
        head = self._head(method, path, body, headers or {})
        reused = self._sock is not None
        if not reused:
            self._sock = socket.create_connection(self._address)
            self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._received = 0
        try:
            self._sock.sendall(head + body if body else head)
            return self._answer(method, reused)
        except BaseException:
            self.close()
            raise

    def _head(self, method, path, body, headers):
        if isinstance(body, str):
            raise TypeError("body must be bytes")
        if _BAD_REQUEST_LINE.search(method + path):
            raise ValueError(f"invalid request line: {method} {path!r}")
        lines = [f"{method} {path} HTTP/1.1".encode("latin-1"), b"Host: " + self._host_header]
        for name, value in headers.items():
            n, v = str(name).encode("latin-1"), str(value).encode("latin-1")
            if not _TOKEN.match(n):
                raise ValueError(f"invalid header name {name!r}")
            if _BAD_VALUE.search(v):
                raise ValueError(f"invalid header value {value!r}")
            lines.append(n + b": " + v)
        if body is not None or method in ("POST", "PUT"):
            lines.append(b"Content-Length: " + str(len(body or b"")).encode())
        return b"\r\n".join(lines) + b"\r\n\r\n"

    def _answer(self, method, reused):
        while True:
            try:
                status, headers = self._read_head()
            except Disconnected:
                if reused and self._received == 0:
                    raise
                raise ProtocolError("the connection closed before a complete answer") from None
            if 100 <= status < 200 and status != 101:
                continue  # an interim answer (100 Continue, 103 Early Hints): the real one follows
            break
        coding = (headers.get("Transfer-Encoding") or "").lower()
        length = headers.get("Content-Length")
        if method == "HEAD" or status in (204, 304):
            body = b""
        elif coding:
            if coding != "chunked":
                raise ProtocolError(f"unsupported transfer coding {coding!r}")
            body = self._read_chunked()
        elif length is not None:
            if not length.isdigit():
                raise ProtocolError(f"invalid Content-Length {length!r}")
            body = self._read_exactly(int(length))
        else:
            body = self._read_to_close()
        if (headers.get("Connection") or "").lower() == "close" and self._sock is not None:
            self.close()
        return status, headers, body

    def _fill(self):
        """Reads what the socket has; False when the peer closed."""
        piece = self._sock.recv(65536)
        if not piece:
            return False
        self._received += len(piece)
        self._buf += piece
        return True

    def _read_line(self, limit):
        while True:
            end = self._buf.find(b"\r\n")
            if end >= 0:
                line = bytes(self._buf[:end])
                del self._buf[: end + 2]
                return line
            if len(self._buf) > limit:
                raise ProtocolError("header line too long")
            if not self._fill():
                raise Disconnected("the server closed the connection")

    def _read_head(self):
        line = self._read_line(_MAX_HEAD)
        parts = line.split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            raise ProtocolError(f"invalid status line {line[:80]!r}")
        headers = Headers()
        size = 0
        while True:
            line = self._read_line(_MAX_HEAD)
            if not line:
                return int(parts[1]), headers
            size += len(line)
            name, sep, value = line.partition(b":")
            if not sep or size > _MAX_HEAD or not _TOKEN.match(name):
                raise ProtocolError(f"invalid header line {line[:80]!r}")
            headers.add(name.decode("latin-1"), value.strip(b" \t").decode("latin-1"))

    def _read_exactly(self, n):
        pieces, have = [], 0
        if self._buf:
            take = bytes(self._buf[:n])
            del self._buf[:n]
            pieces.append(take)
            have = len(take)
        while have < n:
            piece = self._sock.recv(min(n - have, 1 << 20))
            if not piece:
                raise ProtocolError(f"the connection closed {n - have} bytes short of the body")
            pieces.append(piece)
            have += len(piece)
        return b"".join(pieces)

    def _read_chunked(self):
        pieces = []
        while True:
            try:
                size_line = self._read_line(1024)
            except Disconnected:
                raise ProtocolError("the connection closed inside a chunked body") from None
            size = size_line.split(b";", 1)[0].strip()
            if not size or not re.fullmatch(rb"[0-9A-Fa-f]+", size):
                raise ProtocolError(f"invalid chunk size {size_line[:40]!r}")
            n = int(size, 16)
            if n == 0:
                break
            pieces.append(self._read_exactly(n))
            if self._read_exactly(2) != b"\r\n":
                raise ProtocolError("a chunk does not end with CRLF")
        while True:  # trailers, up to the empty line
            try:
                if not self._read_line(_MAX_HEAD):
                    return b"".join(pieces)
            except Disconnected:
                raise ProtocolError("the connection closed inside a chunked body") from None

    def _read_to_close(self):
        pieces = [bytes(self._buf)]
        self._buf = bytearray()
        while True:
            piece = self._sock.recv(1 << 20)
            if not piece:
                break
            pieces.append(piece)
        self.close()
        return b"".join(pieces)
