"""A private memcached on 127.0.0.1 (a free port), for the benchmarks and tests of rez's
resolve cache with the integration. Needs the ``memcached`` binary (Debian: ``memcached``)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

__all__ = ["memcached_binary", "private_memcached"]


def memcached_binary() -> str | None:
    found = shutil.which("memcached")
    if found is None and os.path.exists("/usr/bin/memcached"):
        found = "/usr/bin/memcached"
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def private_memcached(memory_mb: int = 64, timeout_s: float = 10.0) -> Iterator[str]:
    """Start a memcached on 127.0.0.1 and yield its ``host:port``; stopped on exit."""
    binary = memcached_binary()
    if binary is None:
        raise FileNotFoundError("no memcached binary (apt-get install memcached)")
    port = _free_port()
    command = [binary, "-l", "127.0.0.1", "-p", str(port), "-U", "0", "-m", str(memory_mb)]
    if os.geteuid() == 0:
        command += ["-u", "root"]  # memcached refuses to run as root without it
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("memcached did not start")
            time.sleep(0.05)
        yield f"127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
