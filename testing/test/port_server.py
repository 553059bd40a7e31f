"""A stand-in for a Python peer that serves: listens on 127.0.0.1, prints {"port": N}, accepts one
connection, writes b"hello" to it, and waits to be killed. With the argument "fail" it writes to
stderr and exits with status 3 before printing anything."""
import json
import socket
import sys
import time

if sys.argv[1:] == ["fail"]:
    print("cannot start", file=sys.stderr)
    sys.exit(3)
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
print(json.dumps({"port": server.getsockname()[1]}), flush=True)
conn, _ = server.accept()
conn.sendall(b"hello")
while True:
    time.sleep(1)
