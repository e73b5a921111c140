"""A board client that sends half a multipart message (test/hw-multipart.test.ts).

libzmq (pyzmq, Node's zeromq) puts nothing of a multipart message on the wire until its last
frame is sent, so an unfinished message can only come from a peer that speaks ZMTP 3.0 and
CURVE (RFC 23, RFC 26) itself, as this one does, over a plain TCP socket with libsodium's
crypto_box (ctypes). After the handshake it sends a `deploy` header frame and FRAMES frames of
SIZE bytes, each with the MORE flag, and never the last frame. It answers no heartbeat.

It prints JSON lines: {"event": "ready"} after the handshake; {"event": "sent", "seconds": s}
once every frame is written, or {"event": "dropped", "after": s, "sent": bytes} when the server
closes the connection first; then, waiting up to WAIT seconds for the server to close,
{"event": "closed", "after": s} or {"event": "open", "after": s}. Keys (Z85) come from
PHASOR_SERVER_KEY, PHASOR_PUBLIC_KEY, PHASOR_SECRET_KEY.

usage: hw_multipart_client.py HOST:PORT FRAMES SIZE WAIT [PAUSE]   (PAUSE: seconds between frames)
"""
import ctypes
import json
import os
import socket
import struct
import sys
import time

from zmq.utils import z85

sodium = ctypes.CDLL("libsodium.so.23")
assert sodium.sodium_init() >= 0


def say(**event):
    print(json.dumps(event), flush=True)


def box(plain, nonce, public, secret):
    """crypto_box: 16-byte MAC then ciphertext (CurveZMQ's box without NaCl's zero padding)."""
    out = ctypes.create_string_buffer(len(plain) + 16)
    assert sodium.crypto_box_easy(out, plain, ctypes.c_ulonglong(len(plain)), nonce, public, secret) == 0
    return out.raw


def unbox(data, nonce, public, secret):
    out = ctypes.create_string_buffer(len(data) - 16)
    if sodium.crypto_box_open_easy(out, data, ctypes.c_ulonglong(len(data)), nonce, public, secret) != 0:
        raise RuntimeError("cannot open a box from the server")
    return out.raw


def keypair():
    pk, sk = ctypes.create_string_buffer(32), ctypes.create_string_buffer(32)
    sodium.crypto_box_keypair(pk, sk)
    return pk.raw, sk.raw


def frame(body, command=False, more=False):
    """A ZMTP 3.0 frame: flags (MORE 1, LONG 2, COMMAND 4), size, body."""
    flags = (4 if command else 0) | (1 if more else 0)
    if len(body) < 256:
        return bytes([flags, len(body)]) + body
    return bytes([flags | 2]) + struct.pack(">Q", len(body)) + body


def read_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise ConnectionError("the server closed the connection")
        data += chunk
    return data


def read_frame(s):
    flags = read_exact(s, 1)[0]
    size = struct.unpack(">Q", read_exact(s, 8))[0] if flags & 2 else read_exact(s, 1)[0]
    return read_exact(s, size)


def handshake(s, server, public, secret):
    """RFC 26: HELLO, WELCOME, INITIATE, READY. Returns the session keys (server's transient public, ours secret) and the next nonce."""
    greeting = b"\xff" + b"\x00" * 8 + b"\x7f" + b"\x03\x00" + b"CURVE".ljust(20, b"\x00") + b"\x00" + b"\x00" * 31
    s.sendall(greeting)
    theirs = read_exact(s, 64)
    assert theirs[0] == 0xFF and theirs[12:17] == b"CURVE", theirs
    cn_public, cn_secret = keypair()
    nonce = 1
    short = struct.pack(">Q", nonce)
    hello = b"\x05HELLO" + b"\x01\x00" + b"\x00" * 72 + cn_public + short + box(b"\x00" * 64, b"CurveZMQHELLO---" + short, server, cn_secret)
    s.sendall(frame(hello, command=True))
    welcome = read_frame(s)
    assert welcome[:8] == b"\x07WELCOME", welcome[:16]
    plain = unbox(welcome[24:], b"WELCOME-" + welcome[8:24], server, cn_secret)
    cn_server, cookie = plain[:32], plain[32:128]
    vouch_nonce = os.urandom(16)
    vouch = box(cn_public + server, b"VOUCH---" + vouch_nonce, cn_server, secret)
    metadata = b"\x0bSocket-Type" + struct.pack(">I", 6) + b"DEALER"
    nonce += 1
    short = struct.pack(">Q", nonce)
    initiate = b"\x08INITIATE" + cookie + short + box(public + vouch_nonce + vouch + metadata, b"CurveZMQINITIATE" + short, cn_server, cn_secret)
    s.sendall(frame(initiate, command=True))
    ready = read_frame(s)
    if ready[:6] != b"\x05READY":
        raise RuntimeError("handshake refused: %r" % ready[:40])
    return cn_server, cn_secret, nonce + 1


def message(payload, more, nonce, cn_server, cn_secret):
    """An encrypted CurveZMQ MESSAGE carrying one frame; MORE travels inside the box."""
    short = struct.pack(">Q", nonce)
    return frame(b"\x07MESSAGE" + short + box(bytes([1 if more else 0]) + payload, b"CurveZMQMESSAGEC" + short, cn_server, cn_secret))


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    frames, size, wait = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    pause = float(sys.argv[5]) if len(sys.argv) > 5 else 0
    server, public, secret = (z85.decode(os.environ[k].encode()) for k in ("PHASOR_SERVER_KEY", "PHASOR_PUBLIC_KEY", "PHASOR_SECRET_KEY"))
    s = socket.create_connection((host, int(port)))
    cn_server, cn_secret, nonce = handshake(s, server, public, secret)
    say(event="ready")
    t0, sent = time.monotonic(), 0
    try:
        head = json.dumps({"type": "deploy", "id": "unfinished"}).encode()
        s.sendall(message(head, True, nonce, cn_server, cn_secret))
        payload = bytes(size)
        for k in range(frames):
            data = message(payload, True, nonce + 1 + k, cn_server, cn_secret)
            s.sendall(data)
            sent += len(data)
            time.sleep(pause)
        say(event="sent", seconds=round(time.monotonic() - t0, 3))
    except (BrokenPipeError, ConnectionResetError):
        say(event="dropped", after=round(time.monotonic() - t0, 3), sent=sent)
        return
    s.settimeout(wait)
    try:
        while s.recv(65536):  # heartbeats (PING) go unanswered
            pass
        say(event="closed", after=round(time.monotonic() - t0, 3))
    except (socket.timeout, ConnectionResetError) as e:
        say(event="open" if isinstance(e, socket.timeout) else "closed", after=round(time.monotonic() - t0, 3))


if __name__ == "__main__":
    main()
