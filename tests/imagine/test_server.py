"""test_server.py: the project's chat test server (tests/http/server.c) for
the Python checks of tests/imagine: started on a free port of 127.0.0.1
with a script of answers and queued faults."""
import os, subprocess, time

def start_server(srv_exe, work, script, faults=None, tag="srv", seconds=300):
    """Starts the server answering from script (JSONL of {"match", "content"});
    returns (process, port). The caller terminates the process."""
    pf = os.path.join(work, tag + "_port")
    if os.path.exists(pf): os.unlink(pf)
    args = [srv_exe, "--port", "0", "--port-file", pf, "--script", script, "--seconds", str(seconds)]
    if faults: args += ["--faults", faults]
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    for _ in range(100):
        if os.path.exists(pf) and open(pf).read().strip(): break
        time.sleep(0.05)
    return p, int(open(pf).read())
