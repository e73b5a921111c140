/**
 * Interrupting %train in a real kernel: a cell builds a small synthetic dataset in SHD's
 * layout (700 channels, one row, times in microseconds; an arrayDataset, as the test machine
 * may lack h5py), `%train ... --as model` runs long enough to be interrupted, and an
 * interrupt_request on control stops it mid-epoch. The reply is an Interrupted error, the
 * checkpoint on disk loads and holds the interrupted run's weights, `--resume` continues from
 * it, and the kernel keeps the variables of earlier cells.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCheckpoint } from "../lib/train/checkpoint.js";
import { TestKernel, textOf, type Msg } from "./kernel-client.js";

// 4 classes, each firing its own band of 40 channels (odd classes 20 ms later), plus noise, in 60 ms.
const DATA = `
let kept = 41;
const rng = new phasor.Rng(1);
const samples = Array.from({ length: 40 }, (_, i) => {
  const c = i % 4, t: number[] = [], x: number[] = [];
  for (let k = 0; k < 90; k++) {
    t.push(Math.floor((k < 60 ? 5000 + 20000 * (c % 2) + rng.random() * 25000 : rng.random() * 60000)));
    x.push(k < 60 ? 100 + 120 * c + Math.floor(rng.random() * 40) : Math.floor(rng.random() * 700));
  }
  const o = t.map((_, k) => k).sort((a, b) => t[a] - t[b]);
  return { label: c, events: phasor.data.events({ t: o.map((k) => t[k]), x: o.map((k) => x[k]) }) };
});
const shd = phasor.data.arrayDataset(samples, [700, 1, 1], ["a", "b", "c", "d"], "synthetic SHD");
shd.length
`;
const FLAGS = "--hidden 32 --batch 8 --steps 30 --dt-us 2000 --lr 5e-3 --seed 2 --checkpoint ck.json";

const resultOf = (out: Msg[]): unknown => out.find((m) => m.header.msg_type === "execute_result")?.content.data;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe("interrupting %train in a real kernel", () => {
  let k: TestKernel;
  const dir = mkdtempSync(join(tmpdir(), "phasor-train-int-"));
  const ckpt = join(dir, "ck.json");
  beforeAll(async () => {
    k = await TestKernel.start({ cwd: dir });
    const r = await k.execute(DATA, {}, 60_000);
    expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("ok");
    expect(resultOf(r.out)).toEqual({ "text/plain": "40" });
  }, 120_000);
  afterAll(async () => {
    await k?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("stops mid-training on interrupt_request, leaving a loadable checkpoint; --resume continues; variables are kept", async () => {
    const running = k.execute(`%train shd ${FLAGS} --epochs 1000 --as model`, {}, 120_000);
    // Let at least one epoch finish (its checkpoint appears), then interrupt in the middle of a later one.
    let ended: { reply: Msg; out: Msg[] } | undefined;
    void running.then((r) => (ended = r), () => undefined);
    await until("the first epoch's checkpoint", () => existsSync(ckpt) || ended !== undefined, 90_000);
    expect(ended?.reply.content, "the cell ended before its first checkpoint").toBeUndefined();
    const firstWrite = statSync(ckpt).mtimeMs;
    await sleep(300);
    const t0 = Date.now();
    const interruptId = k.send("control", "interrupt_request", {});
    const { reply, out } = await running;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((await k.reply("control", interruptId)).content.status).toBe("ok");
    expect(reply.content.status).toBe("error");
    expect(reply.content.ename).toBe("Interrupted");
    expect(out.some((m) => m.header.msg_type === "error")).toBe(true);
    // The live curves: one Plotly output, updated in place while training ran.
    const shown = out.filter((m) => m.header.msg_type === "display_data");
    expect(shown.length).toBe(1);
    expect(Object.keys(shown[0].content.data as object)).toContain("application/vnd.plotly.v1+json");
    expect(textOf(out, "update_display_data")).toMatch(/backend: (wasm|cpu)/);

    // Training stopped: after the interrupted run's last write the checkpoint no longer changes.
    const stamp = () => { const st = statSync(ckpt); return `${st.mtimeMs}:${st.size}`; };
    let last = stamp(), since = Date.now();
    await until("the checkpoint to stop changing", () => {
      const now = stamp();
      if (now !== last) [last, since] = [now, Date.now()];
      return Date.now() - since > 1500;
    }, 20_000);
    const c = loadCheckpoint(ckpt);
    expect(c.epoch).toBeGreaterThanOrEqual(1);
    expect(c.epoch).toBeLessThan(1000);
    expect(c.history.length).toBe(c.epoch);
    expect(Object.keys(c.weights).sort()).toEqual(["hidden.weight", "readout.weight"]);
    expect(c.weights["hidden.weight"].shape).toEqual([700, 32]);
    expect(c.optimizer.name).toBe("adam");

    // Earlier variables survive the interrupt.
    const kept = await k.execute("kept + 1");
    expect(kept.reply.content.status).toBe("ok");
    expect(resultOf(kept.out)).toEqual({ "text/plain": "42" });
    const len = await k.execute("shd.length");
    expect(resultOf(len.out)).toEqual({ "text/plain": "40" });

    // --resume continues from the checkpoint: one more epoch, numbered after the saved ones.
    const done = c.epoch;
    const resumed = await k.execute(`%train shd ${FLAGS} --epochs ${done + 1} --resume --no-plot --as model2\nmodel2.config.layers.map((l) => l.units).join(",")`, {}, 120_000);
    expect(resumed.reply.content.status, JSON.stringify(resumed.reply.content)).toBe("ok");
    const printed = textOf(resumed.out, "stream");
    expect(printed).toMatch(new RegExp(`epoch ${done + 1}: loss`));
    expect(printed).not.toMatch(new RegExp(`epoch ${done}: loss`));
    expect(resultOf(resumed.out)).toEqual({ "text/plain": "'32,4'" });
    const after = loadCheckpoint(ckpt);
    expect(after.epoch).toBe(done + 1);
    expect(after.history.slice(0, done)).toEqual(c.history);
  }, 240_000);
});
