"""A Python websockets (10.4) echo server with permessage-deflate on, as websockets enables it
by default (compression="deflate").

Usage: python3 python_deflate_echo_server.py

Listens on 127.0.0.1 on a free port and prints {"port": N} on stdout once ready. On each
connection it first sends the text message "fragmented message" as two fragments, then echoes
every message. It runs until it is killed.
"""
import asyncio
import json

import websockets


async def handler(websocket):
    await websocket.send(["fragmented ", "message"])
    try:
        async for message in websocket:
            await websocket.send(message)
    except websockets.ConnectionClosed:
        pass


async def main():
    async with websockets.serve(handler, "127.0.0.1", 0, max_size=None, ping_interval=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(json.dumps({"port": port}), flush=True)
        await asyncio.Future()


asyncio.run(main())
