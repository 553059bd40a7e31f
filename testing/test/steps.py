"""A stand-in for a Python peer that runs to its end: prints one JSON object per argument, then
exits with status 0; the argument "hang" makes it sleep until it is killed."""
import json
import sys
import time

for arg in sys.argv[1:]:
    if arg == "hang":
        time.sleep(3600)
    print(json.dumps({"step": arg}), flush=True)
