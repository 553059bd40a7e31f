"""A Python websockets (10.4) client with permessage-deflate on (its default), against an echo
server that first sends the text "fragmented message" as two fragments.

Usage: python3 python_deflate_client.py ws://127.0.0.1:PORT/

Prints one JSON object per line on stdout:
  {"step": "open", "extensions": "<the server's Sec-WebSocket-Extensions answer>"}
  {"step": "first", "ok": true}              the server's fragmented message arrived whole
  {"step": "NAME", "ok": true}               the echo equals what was sent, for each message
  {"step": "close", "code": 1000}
Any failure prints {"step": "error", "message": ...} and exits with status 1.
"""
import asyncio
import json
import sys

import websockets


def report(**fields):
    print(json.dumps(fields), flush=True)


async def main(url):
    big_text = json.dumps([{"id": i, "name": "user %d" % i} for i in range(300)])
    big_binary = bytes((i * 31) & 0x3F for i in range(150000))
    messages = [
        ("empty-text", ""),
        ("empty-binary", b""),
        ("short", "short"),
        ("big-text", big_text),
        ("big-binary", big_binary),
        ("big-text-again", big_text),
    ]
    async with websockets.connect(url, max_size=None, ping_interval=None) as ws:
        report(step="open", extensions=ws.response_headers.get("Sec-WebSocket-Extensions"))
        report(step="first", ok=(await ws.recv()) == "fragmented message")
        for name, message in messages:
            await ws.send(message)
            report(step=name, ok=(await ws.recv()) == message)
        # An iterable is sent as one fragmented (compressed) message.
        await ws.send(["frag", "men", "ted"])
        report(step="fragmented", ok=(await ws.recv()) == "fragmented")
        await ws.close(code=1000)
        report(step="close", code=ws.close_code)


try:
    asyncio.run(main(sys.argv[1]))
except Exception as error:  # noqa: BLE001 - report any failure to the test
    report(step="error", message=repr(error))
    sys.exit(1)
