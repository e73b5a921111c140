// Board security: only listed client keys get in, a plain (non-CURVE) client gets nothing,
// and the bytes on the wire hold no plaintext of the program (checked against a plain
// ZeroMQ link carrying the same frames, where the same check does find it).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { copyFileSync, mkdtempSync } from "node:fs";
import { createServer, connect, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Dealer, Router } from "zeromq";
import { compile, type Program } from "../lib/compiler/index.js";
import { generateKeys, programFrames, startLoopbackBoard, RemoteRunner, type LoopbackBoard } from "../lib/hw/index.js";
import { ifNet, randomSpikes } from "./vm-networks.js";

let board: LoopbackBoard;
let program: Program;
const port = (b: LoopbackBoard) => Number(b.address.split(":").pop());

beforeAll(async () => {
  program = compile(ifNet(), "generic-mesh", { reset: "zero" });
  board = await startLoopbackBoard();
});
afterAll(async () => { await board?.server.close("test done", 1); });

/** A TCP relay that records every byte in both directions. */
async function tap(targetPort: number): Promise<{ port: number; bytes: () => Buffer; close: () => void }> {
  const chunks: Buffer[] = [];
  const server: Server = createServer((c) => {
    const up = connect(targetPort, "127.0.0.1");
    c.on("data", (d) => { chunks.push(d); up.write(d); });
    up.on("data", (d) => { chunks.push(d); c.write(d); });
    c.on("close", () => up.destroy()); up.on("close", () => c.destroy());
    c.on("error", () => up.destroy()); up.on("error", () => c.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  return { port: typeof addr === "object" && addr ? addr.port : 0, bytes: () => Buffer.concat(chunks), close: () => server.close() };
}

/** Distinctive plaintext of the program: its format tag, a layer name, a JSON run, and the 32 blob bytes with the most distinct values (not zero padding, which CURVE's handshake also carries). */
function markers(p: Program): Buffer[] {
  const [json, bin] = programFrames(p).frames;
  let best = 0, score = 0;
  for (let k = 0; k + 32 <= bin.length; k += 8) {
    const n = new Set(bin.subarray(k, k + 32)).size;
    if (n > score) { score = n; best = k; }
  }
  expect(score).toBeGreaterThan(8);
  return [Buffer.from("phasor-program"), Buffer.from('"fc1"'), bin.subarray(best, best + 32), json.subarray(200, 260)];
}

describe("CURVE authentication and encryption", () => {
  test("a client whose key is not listed cannot submit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "phasor-stranger-"));
    generateKeys(dir, "client");
    copyFileSync(join(board.keys, "server.pub"), join(dir, "server.pub"));
    const stranger = RemoteRunner.connect(board.address, { keys: dir });
    const before = board.server.core.status();
    const t0 = Date.now();
    try {
      await expect(stranger.deploy(program)).rejects.toMatchObject({ code: "auth", message: expect.stringMatching(/refused this client's key/) });
      expect(Date.now() - t0).toBeLessThan(5000);
      await expect(stranger.run(randomSpikes([16], 10, 0.3, 1))).rejects.toMatchObject({ code: "auth" });
      const after = board.server.core.status();
      expect(after.clients).toBe(before.clients);
      expect(after.rejected).toBe(before.rejected);
      expect(after.done + after.queued + after.running.length).toBe(before.done + before.queued + before.running.length);
    } finally {
      await stranger.close();
    }
  });

  test("a plain (non-CURVE) client gets no reply and reaches no handler", async () => {
    const plain = new Dealer({ linger: 0, receiveTimeout: 1500 });
    plain.connect(`tcp://127.0.0.1:${port(board)}`);
    const before = board.server.core.status().rejected;
    try {
      await plain.send(JSON.stringify({ type: "ping", id: "p1" }));
      await expect(plain.receive()).rejects.toMatchObject({ code: "EAGAIN" });
      expect(board.server.core.status().rejected).toBe(before);
    } finally {
      plain.close();
    }
  });

  test("captured traffic of a deploy and run holds none of the program's plaintext", async () => {
    const t = await tap(port(board));
    const remote = RemoteRunner.connect(`remote://127.0.0.1:${t.port}`, { keys: board.keys });
    try {
      await remote.deploy(program);
      const r = await remote.run(randomSpikes([16], 50, 0.3, 2));
      expect(r.steps).toBe(50);
    } finally {
      await remote.close();
      t.close();
    }
    const wire = t.bytes();
    expect(wire.length).toBeGreaterThan(programFrames(program).frames[1].length);
    for (const m of markers(program)) expect(wire.includes(m)).toBe(false);
    expect(wire.includes(Buffer.from('"spikes"'))).toBe(false);
  });

  test("control: the same check finds the plaintext on an unencrypted ZeroMQ link", async () => {
    const router = new Router({ linger: 0 });
    await router.bind("tcp://127.0.0.1:0");
    const t = await tap(Number(router.lastEndpoint!.split(":").pop()));
    const d = new Dealer({ linger: 0 });
    d.connect(`tcp://127.0.0.1:${t.port}`);
    try {
      await d.send([JSON.stringify({ type: "deploy", id: "c1" }), ...programFrames(program).frames]);
      await router.receive();
      await new Promise((r) => setTimeout(r, 50));
      const wire = t.bytes();
      for (const m of markers(program)) expect(wire.includes(m)).toBe(true);
    } finally {
      d.close(); router.close(); t.close();
    }
  });
});
