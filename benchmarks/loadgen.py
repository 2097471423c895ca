"""A small closed-loop HTTP/1.1 load generator (keep-alive, loopback), for when ``wrk`` is not installed.

``httpx`` costs about as much CPU per request as a fast server does, and on a
two-core host the load generator shares the cores with the server: an
expensive client caps the throughput of the cheaper server most, which
hides the difference being measured. This client writes each request as one
prepared byte string and reads the answer with a minimal parser
(``Content-Length`` or chunked), so it spends a few tens of microseconds per
request. It is the same for every server measured.

Each of ``connections`` connections sends its next request as soon as the
previous answer is complete (no pipelining), walking the URL list from its
own offset, for ``seconds`` seconds.
"""

from __future__ import annotations

import asyncio
import functools
import resource
import statistics
import time


class _Conn(asyncio.Protocol):
    def __init__(self, run: _Run, k: int):
        self.run, self.i = run, k
        self.buf = b""
        self.transport: asyncio.Transport | None = None
        self.started = 0.0
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.send_next()

    def send_next(self) -> None:
        run = self.run
        if time.perf_counter() >= run.stop_at:
            self.transport.close()  # type: ignore[union-attr]
            return
        self.started = time.perf_counter()
        self.transport.write(run.requests[self.i % len(run.requests)])  # type: ignore[union-attr]
        self.i += run.connections

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            n, status = _complete(self.buf)
            if n is None:
                return
            self.buf = self.buf[n:]
            self.run.record(status, time.perf_counter() - self.started)
            self.send_next()
            if not self.buf:
                return

    def connection_lost(self, exc: Exception | None) -> None:
        if time.perf_counter() < self.run.stop_at:
            self.run.errors += 1
        if not self.closed.done():
            self.closed.set_result(None)


def _complete(buf: bytes) -> tuple[int | None, int]:
    """Length of the first complete response in ``buf`` (``None`` if incomplete) and its status."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None, 0
    head = buf[:end].lower()
    status = int(head[9:12])
    body_at = end + 4
    if status == 304 or status == 204:
        return body_at, status
    at = head.find(b"\r\ncontent-length:")
    if at >= 0:
        stop = head.find(b"\r\n", at + 2)
        length = int(head[at + 17 : stop if stop >= 0 else len(head)])
        return (body_at + length if len(buf) >= body_at + length else None), status
    if b"\r\ntransfer-encoding: chunked" in head:
        pos = body_at
        while True:
            line_end = buf.find(b"\r\n", pos)
            if line_end < 0:
                return None, status
            size = int(buf[pos:line_end].split(b";")[0], 16)
            pos = line_end + 2 + size + 2
            if len(buf) < pos:
                return None, status
            if size == 0:
                return pos, status
    raise ValueError("response without Content-Length or chunked body")


class _Run:
    def __init__(self, requests: list[bytes], connections: int, seconds: float):
        self.requests, self.connections = requests, connections
        self.stop_at = time.perf_counter() + seconds
        self.done = self.errors = 0
        self.statuses: dict[int, int] = {}
        self.latencies: list[float] = []

    def record(self, status: int, seconds: float) -> None:
        self.done += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 400:
            self.errors += 1
        self.latencies.append(seconds)


def request_bytes(host: str, port: int, path: str, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", *(f"{k}: {v}" for k, v in (headers or {}).items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def run(host: str, port: int, requests: list[bytes], seconds: float, connections: int) -> dict:
    """Drive ``requests`` (prepared by :func:`request_bytes`) for ``seconds``; requests/s, latency and the client's own CPU."""

    async def main() -> _Run:
        state = _Run(requests, connections, seconds)
        loop = asyncio.get_running_loop()
        conns = []
        for k in range(connections):
            _, proto = await loop.create_connection(functools.partial(_Conn, state, k), host, port)
            conns.append(proto)
        await asyncio.gather(*(c.closed for c in conns))
        return state

    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t = time.perf_counter()
    state = asyncio.run(main())
    wall = time.perf_counter() - t
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    lat = sorted(state.latencies) or [0.0]
    return {
        "rps": state.done / wall,
        "requests": state.done,
        "errors": state.errors,
        "statuses": state.statuses,
        "p50_ms": statistics.median(lat) * 1000,
        "p95_ms": lat[int(0.95 * (len(lat) - 1))] * 1000,
        "client_cpu_ms": cpu * 1000 / max(state.done, 1),
        "tool": "benchmarks.loadgen",
        "connections": connections,
        "seconds": seconds,
    }
