// Board faults, each bounded in time: the server killed mid-job, a client vanishing mid-job,
// a server restart, and 8 concurrent clients x 10 jobs with none lost.
import { afterEach, describe, expect, test } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { Dealer } from "zeromq";
import { compile, type Program } from "../lib/compiler/index.js";
import { cubaNetwork } from "../lib/ir/models/cuba.js";
import { runProgram } from "../lib/vm/index.js";
import { programFrames, readClientKeys, startLoopbackBoard, generateKeys, RemoteRunner, type LoopbackBoard } from "../lib/hw/index.js";
import { ifNet, randomSpikes } from "./vm-networks.js";
import { phasorBin } from "./support.js";
import { manyClientKeys } from "./hw-support.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const small: Program = compile(ifNet(), "generic-mesh", { reset: "zero" });
/**
 * The job to interrupt: 900000 steps of the 4000-neuron CUBA network (no input) take several
 * seconds, well past the server's first progress heartbeat (1 s).
 */
const slow: Program = compile(cubaNetwork({ seed: 1 }).graph, "generic-mesh", { reset: "zero" });
const cleanup: Array<() => unknown> = [];
afterEach(async () => { for (const f of cleanup.splice(0).reverse()) await f(); });

async function board(o: Parameters<typeof startLoopbackBoard>[0] = {}): Promise<LoopbackBoard> {
  const b = await startLoopbackBoard({ heartbeatMs: 250, ...o });
  cleanup.push(() => b.server.close("test done", 0.5));
  return b;
}
function client(b: LoopbackBoard, idleTimeout?: number): RemoteRunner {
  const c = b.connect({ idleTimeout });
  cleanup.push(() => c.close());
  return c;
}
const firstProgress = (c: RemoteRunner, steps: number) => new Promise<{ run: Promise<unknown> }>((resolve) => {
  const run = c.run(undefined, { steps, onProgress: (p) => { if (p.step > 0) resolve({ run }); } });
  run.catch(() => {});
});

describe("faults", () => {
  test("the server killed mid-job gives the client a clear error within a bounded time", async () => {
    const keys = mkdtempSync(join(tmpdir(), "phasor-kill-"));
    generateKeys(keys, "both");
    const child: ChildProcess = spawn(process.execPath, [phasorBin, "board", "serve", "--bind", "tcp://127.0.0.1:0", "--keys", keys, "--json"], { stdio: ["ignore", "pipe", "pipe"] });
    cleanup.push(() => child.kill("SIGKILL"));
    const ready = await new Promise<{ endpoint: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("board did not start")), 20_000);
      createInterface({ input: child.stdout! }).once("line", (l) => { clearTimeout(timer); resolve(JSON.parse(l)); });
    });
    const c = RemoteRunner.connect(ready.endpoint.replace("tcp:", "remote:"), { keys });
    cleanup.push(() => c.close());
    await c.deploy(slow);
    const { run } = await firstProgress(c, 900_000);
    const t0 = Date.now();
    child.kill("SIGKILL");
    await expect(run).rejects.toMatchObject({ code: "board-lost", message: expect.stringMatching(/lost the connection to the board server/) });
    expect(Date.now() - t0).toBeLessThan(6000);
  });

  test("a client that disconnects mid-job does not stall the queue", async () => {
    const b = await board();
    const k = readClientKeys(b.keys);
    const gone = new Dealer({ curveServerKey: k.serverKey, curvePublicKey: k.publicKey, curveSecretKey: k.secretKey, linger: 0, receiveTimeout: 5000 });
    gone.connect(b.address.replace("remote:", "tcp:"));
    const { frames, sha256 } = programFrames(slow);
    await gone.send([JSON.stringify({ type: "deploy", id: "d" }), ...frames]);
    await gone.receive();
    await gone.send(JSON.stringify({ type: "run", id: "r", program: sha256, steps: 900_000 }));
    for (let type = ""; type !== "progress"; ) type = JSON.parse((await gone.receive())[0].toString()).type;
    gone.close(); // vanishes without a bye
    const before = b.server.core.status().cancelled;
    const other = client(b);
    await other.deploy(small);
    const t0 = Date.now();
    const input = randomSpikes([16], 100, 0.3, 9);
    const r = await other.run(input);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.spikes).toEqual(runProgram(small, { input }).spikes);
    expect(b.server.core.status().cancelled).toBe(before + 1);
  });

  test("after a server restart the client reconnects (and deploys again)", async () => {
    const b1 = await startLoopbackBoard();
    const c = client(b1);
    await c.deploy(small);
    const input = randomSpikes([16], 60, 0.3, 3);
    const want = runProgram(small, { input }).spikes;
    expect((await c.run(input)).spikes).toEqual(want);
    await b1.server.close("restart", 0.5);
    // The old server's port can take a moment to be released (or be taken in between): retry the bind.
    let b2: LoopbackBoard | undefined;
    for (let k = 0; !b2; k++) {
      try {
        b2 = await board({ keys: b1.keys, port: Number(b1.address.split(":").pop()) });
      } catch (e) {
        if (k >= 30 || !/cannot bind/.test((e as Error).message)) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const t0 = Date.now();
    expect((await c.run(input)).spikes).toEqual(want);
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(b2.server.core.status().done).toBe(1);
  });

  test("8 concurrent clients x 10 jobs all finish with correct results, none lost", async () => {
    const keys = manyClientKeys(8);
    const b = await board({ keys: keys.server });
    const clients = keys.clients.map((dir) => { const c = RemoteRunner.connect(b.address, { keys: dir, idleTimeout: 60 }); cleanup.push(() => c.close()); return c; });
    await Promise.all(clients.map((c) => c.deploy(small)));
    const jobs = clients.flatMap((c, i) => Array.from({ length: 10 }, (_, j) => {
      const input = randomSpikes([16], 40, 0.3, 100 * i + j);
      return c.run(input).then((r) => ({ got: r.spikes, want: runProgram(small, { input }).spikes }));
    }));
    const results = await Promise.all(jobs);
    expect(results).toHaveLength(80);
    for (const r of results) expect(r.got).toEqual(r.want);
    const s = b.server.core.status();
    expect(s.done).toBe(80);
    expect(s.failed + s.cancelled + s.queued).toBe(0);
  });
});
