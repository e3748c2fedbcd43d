"""Run a command with its stderr on a pseudo-terminal (so it sees a terminal there) and its stdout on a pipe.

Prints one JSON object: {"code": exit status, "stdout": text, "stderr": what the terminal received}.
Used by the CLI's progress tests; the command's stdin is /dev/null.
"""
import json
import os
import pty
import select
import subprocess
import sys

master, slave = pty.openpty()
child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
os.close(slave)
streams = {master: bytearray(), child.stdout.fileno(): bytearray()}
open_fds = list(streams)
while open_fds:
    ready, _, _ = select.select(open_fds, [], [], 1.0)
    for fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: the terminal's last writer has gone
            data = b""
        if data:
            streams[fd].extend(data)
        else:
            open_fds.remove(fd)
code = child.wait()
print(json.dumps({
    "code": code,
    "stdout": streams[child.stdout.fileno()].decode("utf-8", "replace"),
    "stderr": streams[master].decode("utf-8", "replace"),
}))
