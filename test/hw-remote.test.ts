// The remote runner against a board server on loopback serving the VM: identical spikes to
// the local VM (API and `phasor run --runner remote://`), malformed and oversized messages
// answered with errors while the server keeps serving, over-limit work refused before it runs.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { Dealer } from "zeromq";
import { compile, saveProgram, type Program } from "../lib/compiler/index.js";
import { formatNpy } from "../lib/ir/io/index.js";
import { cubaNetwork } from "../lib/ir/models/cuba.js";
import { runProgram } from "../lib/vm/index.js";
import { startLoopbackBoard, readClientKeys, VmRunner, type LoopbackBoard } from "../lib/hw/index.js";
import { ifNet, randomSpikes } from "./vm-networks.js";
import { phasorBin } from "./support.js";

/** The CLI without blocking this process's event loop (the board server runs in it). */
function phasor(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [phasorBin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    c.stdout.on("data", (d: Buffer) => (stdout += d));
    c.stderr.on("data", (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => c.kill("SIGKILL"), 30_000);
    c.on("close", (code) => { clearTimeout(timer); resolve({ status: code ?? -1, stdout, stderr }); });
  });
}

let board: LoopbackBoard;
let program: Program;
const input = randomSpikes([16], 100, 0.3, 5);

beforeAll(async () => {
  program = compile(ifNet(), "generic-mesh", { reset: "zero" });
  board = await startLoopbackBoard({ limits: { maxSteps: 5000, maxProgramBytes: 256 * 1024, maxMessageBytes: 1 << 20 } });
});
afterAll(async () => { await board?.server.close("test done", 1); });

describe("remote runner on a loopback board serving the VM", () => {
  test("the same Program gives identical spikes, counters and energy on vm and remote", async () => {
    const local = runProgram(program, { input });
    const remote = board.connect();
    try {
      const info = await remote.deploy(program);
      expect(info.program).toMatch(/^[0-9a-f]{64}$/);
      const progress: number[] = [];
      const r = await remote.run(input, { onProgress: (p) => progress.push(p.step) });
      expect(Object.values(local.spikes).reduce((n, s) => n + s.length, 0)).toBeGreaterThan(100);
      expect(r.spikes).toEqual(local.spikes);
      expect(r.counters).toEqual(local.counters);
      expect(r.energy.perInference).toBe(local.energy.perInference);
      for (const [k, v] of Object.entries(local.outputs)) expect(Array.from(r.outputs[k])).toEqual(Array.from(v));
      const cyc = new VmRunner("cycle");
      await cyc.deploy(program);
      expect((await cyc.run(input)).spikes).toEqual(local.spikes);
      const st = await remote.status();
      expect(st.detail?.done).toBeGreaterThanOrEqual(1);
    } finally {
      await remote.close();
    }
  });

  test("phasor run --runner remote://HOST:PORT --keys DIR writes the same spikes as --runner vm", async () => {
    const dir = mkdtempSync(join(tmpdir(), "phasor-hw-cli-"));
    const file = saveProgram(program, join(dir, "p.json")).json;
    const inFile = join(dir, "in.npy");
    writeFileSync(inFile, formatNpy({ data: Float64Array.from(input.data), shape: input.shape }));
    const a = await phasor(["run", file, "--input", inFile, "--runner", "vm", "--out", join(dir, "vm.json")]);
    const b = await phasor(["run", file, "--input", inFile, "--runner", board.address, "--keys", board.keys, "--out", join(dir, "remote.json")]);
    expect(a.stderr).toBe("");
    expect(b.stderr).toBe("");
    expect(b.status).toBe(0);
    const va = JSON.parse(readFileSync(join(dir, "vm.json"), "utf8")), vb = JSON.parse(readFileSync(join(dir, "remote.json"), "utf8"));
    expect(vb.spikes).toEqual(va.spikes);
    expect(vb.counters).toEqual(va.counters);
    const bad = await phasor(["run", file, "--input", inFile, "--runner", board.address]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--keys DIR/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("messages are validated on arrival", () => {
  /** A raw authorised client speaking the wire protocol directly. */
  async function raw(frames: Array<string | Buffer>, sock: Dealer): Promise<Record<string, unknown>> {
    await sock.send(frames);
    const [head] = await sock.receive();
    return JSON.parse(head.toString());
  }

  test("malformed and oversized messages get error replies and the server keeps serving", async () => {
    const k = readClientKeys(board.keys);
    const sock = new Dealer({ curveServerKey: k.serverKey, curvePublicKey: k.publicKey, curveSecretKey: k.secretKey, linger: 0, receiveTimeout: 5000 });
    sock.connect(board.address.replace("remote:", "tcp:"));
    try {
      const before = board.server.core.status().rejected;
      expect(await raw(["not json {"], sock)).toMatchObject({ type: "error", code: "malformed" });
      expect(await raw([JSON.stringify({ type: "launch", id: "a1" })], sock)).toMatchObject({ type: "error", id: "a1", code: "unknown-type" });
      expect(await raw([JSON.stringify({ type: "run", id: "a2", program: "xyz", steps: -3 })], sock)).toMatchObject({ type: "error", id: "a2", code: "bad-field" });
      expect(await raw([JSON.stringify({ type: "deploy", id: "a3" })], sock)).toMatchObject({ type: "error", id: "a3", code: "frames" });
      expect(await raw([JSON.stringify({ type: "deploy", id: "a4" }), "{}", Buffer.alloc(0)], sock)).toMatchObject({ type: "error", id: "a4", code: "bad-program" });
      expect(await raw([JSON.stringify({ type: "ping", id: "a5", extra: 1 })], sock)).toMatchObject({ type: "error", id: "a5", code: "unknown-field" });
      const big = await raw([JSON.stringify({ type: "deploy", id: "a6" }), Buffer.alloc(600 << 10), Buffer.alloc(600 << 10)], sock);
      expect(big).toMatchObject({ type: "error", id: "a6", code: "too-large", message: `message of ${(1200 << 10) + 27} bytes; this server accepts at most ${1 << 20}` });
      expect(board.server.core.status().rejected - before).toBe(7);
      expect(await raw([JSON.stringify({ type: "ping", id: "a7" })], sock)).toMatchObject({ type: "pong", id: "a7" });
    } finally {
      sock.close();
    }
  });

  test("a program or job over the limits is refused before it runs", async () => {
    const remote = board.connect();
    try {
      const big = cubaNetwork({ seed: 1, n: 800, nExc: 640, p: 0.1 }).graph;
      await expect(remote.deploy(compile(big, "generic-mesh", { reset: "zero" }))).rejects.toMatchObject({ code: "over-limit", message: expect.stringMatching(/program of \d+ bytes exceeds .* limit of 262144/) });
      await remote.deploy(program);
      const done = board.server.core.status().done;
      await expect(remote.run(input, { steps: 10_000 })).rejects.toMatchObject({ code: "over-limit", message: expect.stringMatching(/steps 10000 exceeds this server's limit of 5000/) });
      expect(board.server.core.status().done).toBe(done);
      expect((await remote.run(input)).steps).toBe(100);
    } finally {
      await remote.close();
    }
  });
});
