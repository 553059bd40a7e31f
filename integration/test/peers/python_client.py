"""A Python websockets (10.4) client that exercises a WebSocket echo server.

Usage: python3 python_client.py ws://127.0.0.1:PORT/path

It offers the subprotocols "chat.v2" and "chat.v1", then runs a fixed script against an echo
server and prints one JSON object per line on stdout, so the Node test can assert on each step:
  {"step": "open", "subprotocol": ...}
  {"step": "text", "ok": true}            the echo equals what was sent
  {"step": "binary", "ok": true}
  {"step": "empty", "ok": true}
  {"step": "large", "ok": true, "length": 16777216}
  {"step": "fragmented", "ok": true}
  {"step": "ping", "ok": true}
  {"step": "close", "code": ..., "reason": ...}   the close the server answered with
Any failure prints {"step": "error", "message": ...} and exits with status 1.
"""
import asyncio
import json
import sys

import websockets


def report(**fields):
    print(json.dumps(fields), flush=True)


async def main(url):
    async with websockets.connect(
        url, subprotocols=["chat.v2", "chat.v1"], max_size=None, compression=None, ping_interval=None
    ) as ws:
        report(step="open", subprotocol=ws.subprotocol)

        await ws.send("héllo wörld ✓")
        report(step="text", ok=(await ws.recv()) == "héllo wörld ✓")

        payload = bytes(range(256)) * 4
        await ws.send(payload)
        report(step="binary", ok=(await ws.recv()) == payload)

        await ws.send(b"")
        report(step="empty", ok=(await ws.recv()) == b"")

        large = bytes((i * 7) & 0xFF for i in range(256)) * 65536
        await ws.send(large)
        echoed = await ws.recv()
        report(step="large", ok=echoed == large, length=len(echoed))

        # An iterable is sent as one fragmented message: one frame per element.
        await ws.send(["frag", "men", "ted"])
        report(step="fragmented", ok=(await ws.recv()) == "fragmented")

        waiter = await ws.ping(b"are you there")
        await asyncio.wait_for(waiter, timeout=5)
        report(step="ping", ok=True)

        await ws.close(code=4000, reason="bye")
        report(step="close", code=ws.close_code, reason=ws.close_reason)


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv[1]))
    except Exception as exc:  # report every failure to the test, which asserts on it
        report(step="error", message=f"{type(exc).__name__}: {exc}")
        sys.exit(1)
