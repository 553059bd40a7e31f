"""A Python websockets (10.4) server for the client interop test.

Usage: python3 python_echo_server.py

Listens on 127.0.0.1 on a free port and prints {"port": N} on stdout once ready. It selects the
subprotocol "chat.v1" when offered, and what it does depends on the request path:
  /echo            echo every message (text as text, binary as binary)
  /fragments       send the text message "abcd" as two fragments, then echo
  /ping            send a ping with payload b"py-ping", then echo
  /close/CODE      close at once with CODE and the reason "bye"
It runs until it is killed.
"""
import asyncio
import json

import websockets


async def handler(websocket):
    path = websocket.path
    if path.startswith("/close/"):
        await websocket.close(int(path.split("/")[2]), "bye")
        return
    if path == "/fragments":
        await websocket.send(["ab", "cd"])
    if path == "/ping":
        await websocket.ping(b"py-ping")
    try:
        async for message in websocket:
            await websocket.send(message)
    except websockets.ConnectionClosed:
        pass


async def main():
    async with websockets.serve(
        handler, "127.0.0.1", 0, subprotocols=["chat.v1"], max_size=None, compression=None, ping_interval=None
    ) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(json.dumps({"port": port}), flush=True)
        await asyncio.Future()


asyncio.run(main())
