// A board server that cannot be exhausted, each case through a real server on loopback and
// bounded in count and time: departed clients never hang SIGTERM, connections that deploy and
// vanish give their memory back, a client that never reads is held to its budget and told,
// bad fields, shapes, CSR indices and NaN are refused, a new client's job goes next, and the
// log tells clients apart and names every refused handshake.
import { afterEach, describe, expect, test } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Dealer, curveKeyPair } from "zeromq";
import { compile, type Program } from "../lib/compiler/index.js";
import { cubaNetwork } from "../lib/ir/models/cuba.js";
import { generateKeys, programFrames, readClientKeys, startLoopbackBoard, VmRunner, type LoopbackBoard } from "../lib/hw/index.js";
import type { RunOptions } from "../lib/hw/runner.js";
import type { VmInput } from "../lib/vm/types.js";
import { ifNet } from "./vm-networks.js";
import { phasorBin } from "./support.js";
import { manyClientKeys, rawClient, until } from "./hw-support.js";

const small: Program = compile(ifNet(), "generic-mesh", { reset: "zero" });
const cleanup: Array<() => unknown> = [];
afterEach(async () => { for (const f of cleanup.splice(0).reverse()) await f(); });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hdr = (h: object) => JSON.stringify(h);
const spikes = (T: number) => Buffer.from(new Float64Array(T * 16).map((_, k) => (k % 3 === 0 ? 1 : 0)).buffer);

async function board(o: Parameters<typeof startLoopbackBoard>[0] = {}): Promise<LoopbackBoard> {
  const b = await startLoopbackBoard({ heartbeatMs: 100, ...o });
  cleanup.push(() => b.server.close("test done", 0.2));
  return b;
}
function dealer(keys: string, address: string, o: Parameters<typeof rawClient>[2] = {}): Dealer {
  const d = rawClient(keys, address, o);
  cleanup.push(() => d.close());
  return d;
}
async function deploy(d: Dealer, p: Program = small): Promise<string> {
  const { frames, sha256 } = programFrames(p);
  await d.send([hdr({ type: "deploy", id: "d" }), ...frames]);
  const h = await until(d, (x) => x.id === "d");
  expect(h).toMatchObject({ type: "deployed", program: sha256 });
  return sha256;
}

/** `phasor board serve` as a child process; resolves with its endpoint once it prints ready. */
async function serve(args: string[]): Promise<{ child: ChildProcess; endpoint: string; keys: string; log: string[] }> {
  const keys = mkdtempSync(join(tmpdir(), "phasor-serve-"));
  generateKeys(keys, "both");
  const child = spawn(process.execPath, [phasorBin, "board", "serve", "--bind", "tcp://127.0.0.1:0", "--keys", keys, "--json", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  cleanup.push(() => child.kill("SIGKILL"));
  const log: string[] = [];
  createInterface({ input: child.stderr! }).on("line", (l) => log.push(l));
  const ready = await new Promise<{ endpoint: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`board did not start: ${log.join("\n")}`)), 20_000);
    createInterface({ input: child.stdout! }).once("line", (l) => { clearTimeout(timer); resolve(JSON.parse(l)); });
  });
  return { child, endpoint: ready.endpoint, keys, log };
}

/** Resident memory of a process, MiB (Linux /proc). */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m![1]) / 1024;
}

describe("a server whose clients depart", () => {
  test("SIGTERM with departed clients (no bye, a job queued) exits in under 2 s", async () => {
    const s = await serve([]);
    for (let k = 0; k < 3; k++) {
      const d = rawClient(s.keys, s.endpoint);
      const sha = await deploy(d);
      await d.send([hdr({ type: "run", id: "r", program: sha, inputs: [{ name: "in", shape: [50, 1, 16] }] }), spikes(50)]);
      await until(d, (h) => h.type === "queued");
      d.close();
    }
    await sleep(200);
    const exited = new Promise<number | null>((resolve) => s.child.once("exit", (code) => resolve(code)));
    const t0 = Date.now();
    s.child.kill("SIGTERM");
    const code = await Promise.race([exited, sleep(5000).then(() => "still running")]);
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  test.runIf(existsSync("/proc/self/status"))("200 connections that deploy a 0.7 MB program and vanish leave RSS within 50 MB of the start", async () => {
    const s = await serve(["--idle-seconds", "1"]);
    const big = compile(cubaNetwork({ seed: 1, n: 2000, nExc: 1600, p: 0.02 }).graph, "generic-mesh", { reset: "zero" });
    const bytes = programFrames(big).frames.reduce((n, f) => n + f.length, 0);
    expect(bytes).toBeGreaterThan(700_000);
    const wave = async (n: number) => {
      const ds = Array.from({ length: n }, () => rawClient(s.keys, s.endpoint, { receiveTimeout: 20_000 }));
      await Promise.all(ds.map((d) => deploy(d, big)));
      for (const d of ds) d.close(); // no bye
    };
    // The start is measured warm, after 100 connections in waves of the same size: the heap and the allocator have grown
    // to the working set of 20 deploys in flight (about +60 MB, reused by later waves; measured to plateau by then);
    // a connection that kept its program would add 0.7 MB or more each.
    for (let k = 0; k < 5; k++) await wave(20);
    await sleep(1000);
    const start = rssMiB(s.child.pid!);
    for (let k = 0; k < 10; k++) await wave(20);
    const peak = rssMiB(s.child.pid!);
    const probe = dealer(s.keys, s.endpoint);
    let held: Record<string, number> = {};
    for (let k = 0; k < 50; k++) {
      await probe.send(hdr({ type: "status", id: `s${k}` }));
      held = (await until(probe, (h) => h.id === `s${k}`)).held as Record<string, number>;
      if (held.programs === 0 && held.connections === 1) break;
      await sleep(100);
    }
    expect(held).toMatchObject({ connections: 1, programs: 0, programBytes: 0, queuedJobs: 0 });
    let end = rssMiB(s.child.pid!);
    for (let k = 0; k < 40 && end - start >= 50; k++) { await sleep(250); end = rssMiB(s.child.pid!); }
    console.log(`server RSS: start ${start.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB, after ${end.toFixed(0)} MiB`);
    expect(end - start).toBeLessThan(50);
    // the server's stderr reaches this process on its own pipe: the last lines may come after the status reply
    const released = () => s.log.filter((l) => / closed: connection closed; 1 program\(s\) released/.test(l)).length;
    for (let k = 0; k < 40 && released() < 300; k++) await sleep(50);
    expect(released()).toBe(300);
  });
});

describe("budgets through a real server", () => {
  test("a client that never reads is held to maxUnreadBytes, its jobs stop, and it gets an error when it reads", async () => {
    const b = await board({ limits: { maxUnreadBytes: 4 << 20, maxJobsPerClient: 64 } });
    const d = dealer(b.keys, b.address, { receiveHighWaterMark: 1, receiveTimeout: 10_000 });
    const sha = await deploy(d);
    // Each result records h and out for 3000 steps: about 1.5 MB of JSON.
    for (let k = 0; k < 40; k++) await d.send([hdr({ type: "run", id: `r${k}`, program: sha, record: ["h", "out"], inputs: [{ name: "in", shape: [3000, 1, 16] }] }), spikes(3000)]);
    let maxUnread = 0;
    const settled = () => { const s = b.server.core.status(); return s.queued + s.running.length === 0 && s.done + s.cancelled + s.failed + s.rejected >= 40; };
    for (let k = 0; k < 600 && !settled(); k++) {
      maxUnread = Math.max(maxUnread, b.server.core.status().held.unreadBytes);
      await sleep(50);
    }
    const s = b.server.core.status();
    expect(s.queued + s.running.length).toBe(0);
    expect(maxUnread).toBeGreaterThan(0);
    expect(maxUnread).toBeLessThanOrEqual(4 << 20);
    expect(s.cancelled).toBeGreaterThan(0);
    expect(s.done).toBeLessThan(40);
    const codes = new Set<string>();
    // Up to 2000: queued-position news arrives every heartbeat (100 ms) while 40 jobs wait, ~150 messages on a quiet machine, more under load.
    for (let k = 0; k < 2000; k++) {
      const h = JSON.parse((await d.receive())[0].toString());
      if (h.type === "error") codes.add(h.code);
      if (b.server.core.status().held.unreadBytes === 0 && codes.has("not-delivered")) break;
    }
    expect([...codes]).toContain("not-delivered");
  });

  test("a frame over maxMessageBytes closes only that connection (ZeroMQ's MAXMSGSIZE); a message over it in total gets too-large", async () => {
    const b = await board({ limits: { maxMessageBytes: 1 << 20 } });
    const d = dealer(b.keys, b.address);
    await d.send([hdr({ type: "deploy", id: "t" }), Buffer.alloc(700 << 10), Buffer.alloc(700 << 10)]);
    expect(await until(d, (h) => h.id === "t")).toMatchObject({ type: "error", code: "too-large" });
    await d.send([hdr({ type: "deploy", id: "huge" }), Buffer.alloc(8 << 20), Buffer.alloc(8)]);
    for (let k = 0; k < 40 && b.server.core.status().connections > 0; k++) await sleep(50);
    expect(b.server.core.status().held).toMatchObject({ connections: 0, unreadBytes: 0 });
    const other = dealer(b.keys, b.address);
    await other.send(hdr({ type: "ping", id: "p" }));
    expect(await until(other, (h) => h.id === "p")).toMatchObject({ type: "pong" });
  });

  test("fields, rank, CSR indices and NaN are refused with their codes", async () => {
    const b = await board();
    const d = dealer(b.keys, b.address);
    for (const f of ["__proto__", "toString", "constructor"]) {
      await d.send(`{"type":"status","id":"f","${f}":1}`);
      expect(await until(d, (h) => h.id === "f")).toMatchObject({ type: "error", code: "unknown-field", path: [f] });
    }
    const sha = await deploy(d);
    await d.send([hdr({ type: "run", id: "rank", program: sha, inputs: [{ name: "in", shape: [256, 1, 2, 8] }] }), Buffer.alloc(256 * 16 * 8)]);
    expect(await until(d, (h) => h.id === "rank")).toMatchObject({ type: "error", code: "input-shape", message: "inputs.in: input in has shape [256,1,2,8]; layer in needs [T, B, 16]" });
    const csr = small.projections.find((p) => p.csr)!.csr!;
    for (const bad of [1_000_000, -1]) {
      const idx = Int32Array.from(small.blobs[csr.indices] as Int32Array);
      idx[3] = bad;
      const { frames } = programFrames({ ...small, blobs: { ...small.blobs, [csr.indices]: idx } });
      await d.send([hdr({ type: "deploy", id: `csr${bad}` }), ...frames]);
      expect(await until(d, (h) => h.id === `csr${bad}`)).toMatchObject({ type: "error", code: "bad-program", message: expect.stringMatching(`synapse 3 targets neuron ${bad}, outside 0..31`) });
    }
    const { frames } = programFrames(small);
    const doc = JSON.parse(frames[0].toString());
    doc.projections[0].scale = "NaN";
    await d.send([hdr({ type: "deploy", id: "nan" }), Buffer.from(JSON.stringify(doc)), frames[1]]);
    expect(await until(d, (h) => h.id === "nan")).toMatchObject({ type: "error", code: "bad-program", message: expect.stringMatching(/scale: must be a number \(finite, not NaN\), got "NaN"/) });
    expect(b.server.core.status().done).toBe(0);
  });
});

/** The VM, recording the steps of each run in the order runs start. */
class RecordingRunner extends VmRunner {
  readonly order: number[] = [];
  override run(input: VmInput | undefined, o?: RunOptions) {
    this.order.push(o?.steps ?? 0);
    return super.run(input, o);
  }
}

describe("fairness and the log", () => {
  test("50 queued jobs of one client: a new client's job starts next", async () => {
    const keys = manyClientKeys(2);
    const runner = new RecordingRunner();
    const b = await board({ keys: keys.server, runner, limits: { maxJobsPerClient: 64 } });
    const slow = compile(cubaNetwork({ seed: 1 }).graph, "generic-mesh", { reset: "zero" });
    const a = dealer(keys.clients[0], b.address, { receiveTimeout: 20_000 }), c = dealer(keys.clients[1], b.address, { receiveTimeout: 20_000 });
    const sa = await deploy(a, slow), sc = await deploy(c);
    for (let k = 0; k < 50; k++) await a.send(hdr({ type: "run", id: `a${k}`, program: sa, steps: k === 0 ? 20_000 : 10 + k }));
    await until(a, (h) => h.type === "started");
    await c.send([hdr({ type: "run", id: "c0", program: sc, steps: 7, inputs: [{ name: "in", shape: [7, 1, 16] }] }), spikes(7)]);
    expect(await until(c, (h) => h.type === "queued")).toMatchObject({ id: "c0", position: 1 });
    expect(await until(c, (h) => h.type === "result")).toMatchObject({ id: "c0" });
    expect(runner.order.slice(0, 2)).toEqual([20_000, 7]);
  });

  test("log lines name distinct clients; a NULL, wrong-server-key and wrong-secret handshake each leave a line", async () => {
    const keys = manyClientKeys(2);
    const log: string[] = [];
    const b = await board({ keys: keys.server, log: (l) => log.push(l) });
    const names: string[] = [];
    for (const dir of keys.clients) {
      const d = dealer(dir, b.address);
      await d.send(hdr({ type: "launch", id: "x" }));
      await until(d, (h) => h.id === "x");
      names.push(/^rejected a message from (\S+):/.exec(log.filter((l) => l.startsWith("rejected")).at(-1)!)![1]);
    }
    const pub = (k: number) => readClientKeys(keys.clients[k]).publicKey;
    expect(names[0]).toMatch(/^user0\/[0-9a-f]{8}#\d+$/);
    expect(names[1]).toMatch(/^user1\/[0-9a-f]{8}#\d+$/);
    expect(names[0].split("#")[0]).not.toBe(names[1].split("#")[0]);
    expect(pub(0)).not.toBe(pub(1));
    const before = log.length;
    const port = b.address.replace("remote:", "tcp:");
    const nul = new Dealer({ linger: 0 });
    nul.connect(port);
    await nul.send("{}").catch(() => {});
    const stranger = curveKeyPair(), k0 = readClientKeys(keys.clients[0]);
    const wrongServer = new Dealer({ linger: 0, curveServerKey: curveKeyPair().publicKey, curvePublicKey: k0.publicKey, curveSecretKey: k0.secretKey });
    wrongServer.connect(port);
    void wrongServer.send("{}").catch(() => {});
    const wrongSecret = new Dealer({ linger: 0, curveServerKey: k0.serverKey, curvePublicKey: k0.publicKey, curveSecretKey: stranger.secretKey });
    wrongSecret.connect(port);
    void wrongSecret.send("{}").catch(() => {});
    cleanup.push(() => { nul.close(); wrongServer.close(); wrongSecret.close(); });
    for (let k = 0; k < 60 && log.slice(before).filter((l) => l.startsWith("refused a handshake")).length < 3; k++) await sleep(50);
    const refused = log.slice(before).filter((l) => l.startsWith("refused a handshake"));
    expect(refused.length).toBeGreaterThanOrEqual(3);
  });
});
