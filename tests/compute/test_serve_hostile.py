#!/usr/bin/env python3
"""test_serve_hostile.py IMAGINE DATA: `imagine serve` against clients that
misbehave (issue 13, items 1-4), each reproduction as a check:
- a streaming client that leaves early (and one that never reads), and a
  non-streaming one that hangs up: their sequences are cancelled, the server
  keeps serving;
- a body over --max-body is answered 413 (by Content-Length and chunked), a
  prompt that cannot fit the context 400 before it is tokenized;
- more than 1024 open connections (no FD_SETSIZE cap), past --max-connections
  a 503, idle connections closed after --idle-timeout;
- bad fields (max_tokens "5" or 1.5, temperature -1, top_k -5, a lone
  surrogate) are 400s naming the field; a NUL in a prompt is kept;
- SIGTERM during a long generation stops the server within a second.
Only 127.0.0.1; every loop is bounded."""
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

IM, DATA = sys.argv[1], sys.argv[2]
T = tempfile.mkdtemp(prefix="imagine_serve_hostile.")
failures = []
server = None


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def finish(code):
    if server and server.poll() is None:
        server.kill()
        server.wait()
    if code:
        with open(os.path.join(T, "serve.log"), errors="replace") as f:
            sys.stderr.write(f.read()[-4000:])
    shutil.rmtree(T, ignore_errors=True)
    sys.exit(code)


def request(port, method, path, body=None, headers=None, timeout=60):
    """One HTTP/1.1 request on a new connection: (status, body text)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    data = body if isinstance(body, bytes) else (body or "").encode()
    head = f"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
    for k, v in (headers or {"Content-Length": str(len(data))}).items():
        head += f"{k}: {v}\r\n"
    try:
        s.sendall(head.encode() + b"\r\n" + data)
    except (BrokenPipeError, ConnectionResetError):
        pass
    got = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    except ConnectionResetError:
        pass
    s.close()
    m = re.match(rb"HTTP/1\.[01] (\d+)", got)
    return (int(m.group(1)) if m else 0), got.split(b"\r\n\r\n", 1)[-1].decode("utf-8", "replace")


def post(port, path, obj, timeout=60):
    return request(port, "POST", path, json.dumps(obj) if not isinstance(obj, (str, bytes)) else obj, timeout=timeout)


def log_text():
    with open(os.path.join(T, "serve.log"), errors="replace") as f:
        return f.read()


def wait_log(pattern, seconds):
    end = time.time() + seconds
    while time.time() < end:
        if re.search(pattern, log_text()):
            return True
        time.sleep(0.05)
    return False


resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
r = subprocess.run([IM, "model", "init", "--arch", "qwen3", "--size", "tiny", "--dtype", "f16", "--seed", "1", "--out", T + "/m", "--data", DATA],
                   capture_output=True)
if r.returncode:
    print("model init failed", r.stderr.decode(), file=sys.stderr)
    finish(1)

# generate: a negative --max-tokens is a usage error naming the flag
r = subprocess.run([IM, "generate", "--model", T + "/m", "--prompt", "hi", "--max-tokens", "-1"], capture_output=True)
check(r.returncode == 2 and b"--max-tokens" in r.stderr and not r.stdout, f"generate --max-tokens -1: exit {r.returncode}, {r.stderr!r}")

log = open(os.path.join(T, "serve.log"), "w")
server = subprocess.Popen([IM, "serve", "--model", T + "/m", "--port", "0", "--batch", "2", "--ctx", "30000", "--max-body", "65536",
                           "--max-connections", "1100", "--idle-timeout", "2"], stderr=log)
if not wait_log(r"http://[0-9.]+:\d+", 60):
    print("the server did not start", file=sys.stderr)
    finish(1)
PORT = int(re.search(r"http://[0-9.]+:(\d+)", log_text()).group(1))
LONG = {"messages": [{"role": "user", "content": "Plan a trip"}], "max_tokens": 20000, "temperature": 0.8, "seed": 1, "stream": True}


def quick_request_works(what):
    t0 = time.time()
    code, body = post(PORT, "/v1/completions", {"prompt": "Rockford", "max_tokens": 4, "temperature": 0}, timeout=30)
    check(code == 200 and '"text_completion"' in body, f"{what}: a request after it: {code} {body[:200]}")
    return time.time() - t0


# 1. a streaming client that reads one chunk and leaves
s = socket.create_connection(("127.0.0.1", PORT), timeout=30)
body = json.dumps(LONG).encode()
s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
first = s.recv(4096)
check(b"200" in first.split(b"\r\n")[0], f"stream answer: {first[:100]!r}")
s.close()
check(wait_log(r"cancelled after \d+ tokens \(the client left\)", 20), "a stream whose client left is cancelled")
quick_request_works("a stream client left")
# ... and one that never reads (curl -m 0.2): the pipe fills, the scheduler must not block
s = socket.create_connection(("127.0.0.1", PORT), timeout=30)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
time.sleep(0.2)
s.close()
check(wait_log(r"(cancelled after \d+ tokens \(the client left\)[\s\S]*){2}", 20), "a stream that was never read is cancelled")
# a non-streaming client that hangs up
s = socket.create_connection(("127.0.0.1", PORT), timeout=30)
nb = json.dumps(dict(LONG, stream=False)).encode()
s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(nb), nb))
time.sleep(0.3)
s.close()
check(wait_log(r"(cancelled after \d+ tokens \(the client left\)[\s\S]*){3}", 20), "a non-streaming request whose client left is cancelled")
quick_request_works("a non-streaming client left")

# 2. body limits
code, body = request(PORT, "POST", "/v1/completions", b"x" * 70000)
check(code == 413 and "--max-body" in body, f"70000-byte body: {code} {body[:200]}")
code, body = request(PORT, "POST", "/v1/completions", b"11170\r\n" + b"x" * 70000 + b"\r\n0\r\n\r\n", headers={"Transfer-Encoding": "chunked"})
check(code == 413 and "--max-body" in body, f"chunked 70000-byte body: {code} {body[:200]}")
code, body = post(PORT, "/v1/completions", {"prompt": "Rockford " * 7000, "max_tokens": 1})
check(code == 400 and "the context holds 30000 (--ctx)" in body, f"a prompt over the context: {code} {body[:200]}")

# 4. validation: each a 400 naming the field
for field, value in [("max_tokens", "5"), ("max_tokens", 1.5), ("max_tokens", -1), ("temperature", -1), ("top_k", -5), ("top_p", 0),
                     ("top_logprobs", 50), ("stream", "yes"), ("n", 2), ("stop", [1])]:
    req = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 2, field: value}
    if field == "top_logprobs":
        req["logprobs"] = True
    code, body = post(PORT, "/v1/chat/completions", req)
    msg = json.loads(body).get("error", {}).get("message", "") if body.startswith("{") else body
    check(code == 400 and msg.startswith(field), f"{field}={value!r}: {code} {msg}")
code, body = post(PORT, "/v1/completions", '{"prompt": "a\\ud800b", "max_tokens": 2}')
check(code == 400 and "surrogate" in body and "column" in body, f"a lone surrogate: {code} {body[:300]}")
code, body = post(PORT, "/v1/completions", '{"prompt": "a", "max_tokens": 2,}')
check(code == 400 and "line 1, column" in body, f"a trailing comma: {code} {body[:300]}")
# a NUL byte in a prompt is part of it (not a cut)
c1, b1 = post(PORT, "/v1/completions", '{"prompt": "a", "max_tokens": 1, "temperature": 0}')
c2, b2 = post(PORT, "/v1/completions", '{"prompt": "a\\u0000b\\u0000c", "max_tokens": 1, "temperature": 0}')
if c1 == 200 and c2 == 200:
    check(json.loads(b1)["usage"]["prompt_tokens"] == 1, f"Qwen3 adds no BOS: {b1}")
    check(json.loads(b2)["usage"]["prompt_tokens"] >= json.loads(b1)["usage"]["prompt_tokens"] + 4, f"NUL in a prompt: {b1} / {b2}")
else:
    check(False, f"NUL prompt requests: {c1} {c2} {b2[:200]}")

# logprobs (issue 12): legacy top_logprobs objects have as many distinct keys as
# asked; chat tokens carry their bytes, and the text is those bytes decoded
# with one U+FFFD per ill-formed part (Python's decoder does the same)
def no_dup_keys(pairs):
    keys = [k for k, _ in pairs]
    check(len(keys) == len(set(keys)), f"repeated keys in a JSON object: {keys}")
    return dict(pairs)


SPECIAL = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"}
for prompt in ("Rockford", "\u65e5\u672c", "flight"):
    code, body = post(PORT, "/v1/completions", '{"prompt": "%s", "max_tokens": 16, "temperature": 0, "logprobs": 5}' % prompt)
    lp = json.loads(body, object_pairs_hook=no_dup_keys)["choices"][0]["logprobs"] if code == 200 else None
    check(lp is not None and all(len(o) == 5 for o in lp["top_logprobs"]), f"completions top_logprobs for {prompt!r}: {body[:300]}")
    if lp:
        check(all(t in o for t, o in zip(lp["tokens"], lp["top_logprobs"])), f"the chosen token among its top_logprobs: {lp}")
    code, body = post(PORT, "/v1/chat/completions", {"messages": [{"role": "user", "content": json.loads('"%s"' % prompt)}], "max_tokens": 16,
                                                   "temperature": 0, "logprobs": True, "top_logprobs": 3})
    r = json.loads(body)["choices"][0] if code == 200 else None
    if not r:
        check(False, f"chat logprobs: {code} {body[:200]}")
        continue
    raw = b""
    for e in r["logprobs"]["content"]:
        b = bytes(e["bytes"])
        try:
            want = b.decode("utf-8") if b else re.sub(r"^(token_id:\d+)$|.*", r"\1", e["token"])  # padding ids have no bytes
        except UnicodeDecodeError:
            want = "bytes:" + "".join("\\x%02x" % c for c in b)
        check(e["token"] == want and len(e["top_logprobs"]) == 3, f"chat token {e['token']!r} with bytes {b!r}")
        if e["token"] not in SPECIAL:
            raw += b
    check(r["message"]["content"] == raw.decode("utf-8", "replace"), f"content {r['message']['content']!r} vs its tokens' bytes {raw!r}")

# 3. connections: past 1024 (no FD_SETSIZE cap), past the limit a 503, idle ones closed
idle = []
for i in range(1050):
    idle.append(socket.create_connection(("127.0.0.1", PORT), timeout=10))
code, body = request(PORT, "GET", "/health")
check(code == 200, f"/health with 1050 idle connections open: {code} {body[:200]}")
for i in range(60):
    idle.append(socket.create_connection(("127.0.0.1", PORT), timeout=10))
time.sleep(0.3)
code, body = request(PORT, "GET", "/health")
check(code == 503 and "--max-connections" in body, f"/health with 1110 connections open: {code} {body[:200]}")
time.sleep(3.5)  # --idle-timeout 2
closed = 0
for s in idle:
    s.settimeout(5)
    try:
        closed += s.recv(1) == b""
    except (ConnectionResetError, socket.timeout):
        closed += 1
    s.close()
check(closed == len(idle), f"idle connections closed after --idle-timeout: {closed} of {len(idle)}")
code, body = request(PORT, "GET", "/health")
check(code == 200, f"/health after the idle connections were closed: {code}")

# 1. SIGTERM during a long generation: the server stops within a second (the
# stream ends, the port is closed), and the process exits 0 (its teardown,
# slower under sanitizers, is not part of the second)
s = socket.create_connection(("127.0.0.1", PORT), timeout=30)
s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(body := json.dumps(LONG).encode()), body))
s.recv(4096)
t0 = time.time()
server.send_signal(signal.SIGTERM)
s.settimeout(10)
try:
    while s.recv(65536):
        pass
except (ConnectionResetError, socket.timeout):
    pass
took = time.time() - t0
s.close()
refused = False
while not refused and time.time() - t0 < 1.0:
    try:
        socket.create_connection(("127.0.0.1", PORT), timeout=1).close()
        time.sleep(0.05)
    except OSError:
        refused = True
took_port = time.time() - t0
try:
    rc = server.wait(timeout=20)
except subprocess.TimeoutExpired:
    rc = None
exited = time.time() - t0
check(took < 1.0 and refused, f"SIGTERM during a generation: the stream ended after {took:.2f} s, the port closed: {refused} ({took_port:.2f} s); within 1 s expected")
check(rc == 0, f"SIGTERM: exit {rc} after {exited:.2f} s")
# Llama 3: /v1/completions adds <|begin_of_text|> as Hugging Face's encode does
r = subprocess.run([IM, "model", "init", "--arch", "llama", "--size", "tiny", "--dtype", "f16", "--seed", "1", "--out", T + "/l", "--data", DATA],
                   capture_output=True)
check(r.returncode == 0, f"model init llama: {r.stderr!r}")
log = open(os.path.join(T, "serve.log"), "w")
server = subprocess.Popen([IM, "serve", "--model", T + "/l", "--port", "0", "--ctx", "256"], stderr=log)
if wait_log(r"http://[0-9.]+:\d+", 60):
    PORT = int(re.search(r"http://[0-9.]+:(\d+)", log_text()).group(1))
    code, body = post(PORT, "/v1/completions", {"prompt": "a", "max_tokens": 1, "temperature": 0})
    check(code == 200 and json.loads(body)["usage"]["prompt_tokens"] == 2, f"Llama 3 prompt 'a' is BOS + a: {body[:300]}")
    server.send_signal(signal.SIGTERM)
    check(server.wait(timeout=20) == 0, "llama server exit")
else:
    check(False, "the llama server did not start")
print(f"serve hostile: {len(failures)} failures; SIGTERM to the stream's end {took:.2f} s, to a closed port {took_port:.2f} s, to exit {exited:.2f} s")
finish(1 if failures else 0)
