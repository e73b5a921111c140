/**
 * Interrupts over the real protocol: a synchronous `while (true) {}` and an endless await
 * loop, each stopped by SIGINT (to the process group, as Jupyter's signal mode sends it,
 * and to the kernel process alone) and by interrupt_request on control; the next cell
 * still sees the variables of earlier cells.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestKernel } from "./kernel-client.js";

const SYNC = "while (true) {}";
const ASYNC = "while (true) { await new Promise((r) => setTimeout(r, 20)); ticks++; }";

describe("kernel interrupts", () => {
  let k: TestKernel;
  let lastInterrupt = "";
  beforeAll(async () => {
    k = await TestKernel.start();
    const r = await k.execute("let kept = 41; let ticks = 0;");
    expect(r.reply.content.status).toBe("ok");
  });
  afterAll(async () => k?.close());

  const ways: [string, () => void][] = [
    ["interrupt_request on control", () => void (lastInterrupt = k.send("control", "interrupt_request", {}))],
    ["SIGINT to the process group", () => k.signalGroup()],
    ["SIGINT to the kernel process only", () => process.kill(k.proc.pid!, "SIGINT")],
  ];
  for (const [how, interrupt] of ways) {
    for (const [what, code] of [["a synchronous busy loop", SYNC], ["an endless await loop", ASYNC]]) {
      it(`stops ${what} by ${how}, keeping state`, async () => {
        const running = k.execute(code);
        await new Promise((r) => setTimeout(r, 700));
        const t0 = Date.now();
        interrupt();
        const { reply, out } = await running;
        expect(Date.now() - t0).toBeLessThan(3000);
        expect(reply.content.status).toBe("error");
        expect(reply.content.ename).toBe("Interrupted");
        expect(out.some((m) => m.header.msg_type === "error")).toBe(true);
        if (how.startsWith("interrupt_request")) expect((await k.reply("control", lastInterrupt)).content.status).toBe("ok");
        const next = await k.execute("kept + 1");
        expect(next.reply.content.status).toBe("ok");
        const result = next.out.find((m) => m.header.msg_type === "execute_result");
        expect(result?.content.data).toEqual({ "text/plain": "42" });
      });
    }
  }

  it("stops the background loop too: it no longer ticks after the interrupt", async () => {
    const running = k.execute(ASYNC);
    await new Promise((r) => setTimeout(r, 300));
    k.send("control", "interrupt_request", {});
    await running;
    const a = await k.execute("ticks");
    await new Promise((r) => setTimeout(r, 300));
    const b = await k.execute("ticks");
    const value = (x: typeof a): unknown => x.out.find((m) => m.header.msg_type === "execute_result")?.content.data;
    expect(value(b)).toEqual(value(a));
  });

  it("replaces a process that ignores the interrupt (busy loop in a timer) and says so", async () => {
    const running = k.execute("setTimeout(() => { while (true) {} }, 10); await new Promise((r) => setTimeout(r, 1e6));", {}, 60_000);
    await new Promise((r) => setTimeout(r, 500));
    k.send("control", "interrupt_request", {});
    const { reply } = await running;
    expect(reply.content.ename).toBe("ExecutionProcessDied");
    const next = await k.execute("1 + 1");
    expect(next.reply.content.status).toBe("ok");
  }, 60_000);
});
