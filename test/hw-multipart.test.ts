// An unfinished multipart message against a real `phasor board serve` on loopback. libzmq
// (Node's zeromq, pyzmq) puts nothing of a multipart message on the wire before its last frame,
// so the client is test/hw_multipart_client.py: ZMTP 3.0 and CURVE spoken over a TCP socket,
// a `deploy` header and frames with MORE, never the last one. ZeroMQ assembles a message before
// the server sees any of it; what bounds an unfinished one is MAXMSGSIZE (maxMessageBytes +
// CURVE framing, checked on a frame's size before its bytes are read: a larger frame closes the
// connection) and the ZMTP heartbeat (a peer silent for 10 s is dropped with what it sent).
// What it does not bound, documented in docs/board-protocol.md: the number of frames of a peer
// that keeps sending.
import { afterEach, describe, expect, test } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { generateKeys, readClientKeys } from "../lib/hw/index.js";
import { DEFAULT_LIMITS } from "../lib/hw/protocol/messages.js";
import type { Dealer } from "zeromq";
import { rawClient, until } from "./hw-support.js";
import { need, phasorBin, systemPython } from "./support.js";

const cleanup: Array<() => unknown> = [];
afterEach(async () => { for (const f of cleanup.splice(0).reverse()) await f(); });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const script = resolve(__dirname, "hw_multipart_client.py");
const MiB = 1 << 20;

const havePython = need("python3 with pyzmq (z85) and libsodium", spawnSync(systemPython, ["-c", "import ctypes, zmq.utils.z85; ctypes.CDLL('libsodium.so.23')"]).status === 0,
  "apt-get install python3-zmq libsodium23");

/** `phasor board serve` as a child process; resolves once it prints its endpoint. */
async function serve(): Promise<{ child: ChildProcess; endpoint: string; keys: string; log: string[] }> {
  const keys = mkdtempSync(join(tmpdir(), "phasor-multipart-"));
  generateKeys(keys, "both");
  const child = spawn(process.execPath, [phasorBin, "board", "serve", "--bind", "tcp://127.0.0.1:0", "--keys", keys, "--json"], { stdio: ["ignore", "pipe", "pipe"] });
  cleanup.push(() => child.kill("SIGKILL"));
  const log: string[] = [];
  createInterface({ input: child.stderr! }).on("line", (l) => log.push(l));
  const ready = await new Promise<{ endpoint: string }>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`board did not start: ${log.join("\n")}`)), 20_000);
    createInterface({ input: child.stdout! }).once("line", (l) => { clearTimeout(timer); ok(JSON.parse(l)); });
  });
  return { child, endpoint: ready.endpoint, keys, log };
}

/** The hand-made ZMTP client sending `frames` frames of `size` bytes with MORE (a pause between them); its JSON lines arrive in `events`. */
function unfinished(endpoint: string, keys: string, frames: number, size: number, waitSeconds: number) {
  const k = readClientKeys(keys);
  const env = { ...process.env, PHASOR_SERVER_KEY: k.serverKey, PHASOR_PUBLIC_KEY: k.publicKey, PHASOR_SECRET_KEY: k.secretKey };
  const args = [script, endpoint.replace("tcp://", ""), String(frames), String(size), String(waitSeconds)];
  const child = spawn(systemPython, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  cleanup.push(() => child.kill("SIGKILL"));
  const events: Array<Record<string, unknown>> = [], errors: string[] = [];
  createInterface({ input: child.stdout! }).on("line", (l) => events.push(JSON.parse(l)));
  createInterface({ input: child.stderr! }).on("line", (l) => errors.push(l));
  const next = async (types: string[], ms: number) => {
    for (let t = 0; t < ms; t += 50) {
      const e = events.find((x) => types.includes(String(x.event)));
      if (e) return e;
      await sleep(50);
    }
    throw new Error(`the ZMTP client said ${JSON.stringify(events)} ${errors.join("\n")}`);
  };
  return { child, events, next };
}

/** status.held through a probe connection, once `done` holds (or after 4 s). */
async function heldWhen(probe: Dealer, done: (held: Record<string, number>) => boolean): Promise<Record<string, number>> {
  let held: Record<string, number> = {};
  for (let k = 0; k < 40; k++) {
    await probe.send(JSON.stringify({ type: "status", id: `s${k}` }));
    held = (await until(probe, (h) => h.id === `s${k}`)).held as Record<string, number>;
    if (done(held)) break;
    await sleep(100);
  }
  return held;
}

/** Resident memory of a process, MiB (Linux /proc). */
function rssMiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
}

describe.runIf(havePython)("an unfinished multipart message (ZMTP client: MORE, never the last frame)", () => {
  test("a frame over maxMessageBytes closes that connection before it is read; memory stays flat; others are served", async () => {
    const s = await serve();
    const probe = rawClient(s.keys, s.endpoint);
    cleanup.push(() => probe.close());
    await probe.send(JSON.stringify({ type: "ping", id: "p0" }));
    await until(probe, (h) => h.id === "p0");
    const start = rssMiB(s.child.pid!);
    // One frame 16 MiB over the limit after the header, then nothing: the message is never finished.
    const size = DEFAULT_LIMITS.maxMessageBytes + 16 * MiB;
    const c = unfinished(s.endpoint, s.keys, 1, size, 20);
    expect(await c.next(["ready"], 20_000)).toMatchObject({ event: "ready" });
    const end = await c.next(["dropped", "sent"], 30_000);
    // Dropped before the client could write the frame (not after the 10 s heartbeat timeout).
    expect(end).toMatchObject({ event: "dropped" });
    expect(end.after as number).toBeLessThan(5);
    const grown = rssMiB(s.child.pid!) - start;
    console.log(`server RSS ${grown >= 0 ? "+" : ""}${grown.toFixed(1)} MiB for an unfinished ${(size / MiB).toFixed(0)} MiB frame (dropped after ${String(end.after)} s)`);
    expect(grown).toBeLessThan(16);
    expect(await heldWhen(probe, (h) => h.connections === 1)).toMatchObject({ connections: 1, programs: 0, unreadBytes: 0, undeliveredBytes: 0 });
    await probe.send(JSON.stringify({ type: "ping", id: "p1" }));
    expect(await until(probe, (h) => h.id === "p1")).toMatchObject({ type: "pong" });
    expect(s.log.filter((l) => /#2 closed: connection closed; 0 program\(s\) released/.test(l))).toHaveLength(1);
  });

  test("frames under the limit, then silence: ZeroMQ holds them until the heartbeat drops the peer, then the memory comes back", async () => {
    const s = await serve();
    const probe = rawClient(s.keys, s.endpoint, { receiveTimeout: 20_000 });
    cleanup.push(() => probe.close());
    await probe.send(JSON.stringify({ type: "ping", id: "p0" }));
    await until(probe, (h) => h.id === "p0");
    const start = rssMiB(s.child.pid!);
    const c = unfinished(s.endpoint, s.keys, 2, 24 * MiB, 25);
    expect(await c.next(["sent", "dropped"], 30_000)).toMatchObject({ event: "sent" });
    const held = rssMiB(s.child.pid!) - start;
    // The server cannot see them: nothing in status.held, which counts only whole messages.
    expect(await heldWhen(probe, () => true)).toMatchObject({ connections: 2, programs: 0, queuedBytes: 0, unreadBytes: 0 });
    const closed = await c.next(["closed", "open"], 30_000);
    expect(closed).toMatchObject({ event: "closed" });
    expect(closed.after as number).toBeLessThan(20);
    await heldWhen(probe, (h) => h.connections === 1);
    let after = rssMiB(s.child.pid!) - start;
    for (let k = 0; k < 20 && after > 16; k++) { await sleep(100); after = rssMiB(s.child.pid!) - start; }
    console.log(`server RSS +${held.toFixed(0)} MiB while 2 x 24 MiB of an unfinished message were held, ${after.toFixed(1)} MiB after the peer was dropped at ${String(closed.after)} s`);
    expect(after).toBeLessThan(16);
  });
});
