/**
 * Bad input never kills the kernel: malformed messages, forged signatures, magic mistakes,
 * type errors, throws, unhandled rejections and 50 MB of output each get a sensible answer,
 * and the kernel keeps answering (and keeps its variables) afterwards. Files a magic cannot
 * read or write are named without a stack trace; `await (x)`, `# comments` on magic lines
 * and %%time over a magic work as in IPython.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Msg, TestKernel } from "./kernel-client.js";

const errorOf = (out: Msg[]): Record<string, unknown> | undefined => out.find((m) => m.header.msg_type === "error")?.content;
const resultOf = (out: Msg[]): unknown => out.find((m) => m.header.msg_type === "execute_result")?.content.data;
const streamText = (out: Msg[]): string => out.filter((m) => m.header.msg_type === "stream").map((m) => String(m.content.text)).join("");

describe("kernel survives bad input", () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await TestKernel.start();
    await k.execute("const alive = 'yes';");
  });
  afterAll(async () => k?.close());

  async function stillAlive(): Promise<void> {
    const { reply, out } = await k.execute("alive");
    expect(reply.content.status).toBe("ok");
    expect(resultOf(out)).toEqual({ "text/plain": "'yes'" });
  }

  it("answers a request with malformed content with an error reply, and logs it", async () => {
    const id = k.send("shell", "execute_request", { code: 42 });
    const reply = await k.reply("shell", id);
    expect(reply.content.status).toBe("error");
    expect(reply.content.ename).toBe("MalformedMessage");
    expect(String(reply.content.evalue)).toContain("content.code");
    expect(await k.stderrMatching("malformed message")).toContain("malformed message");
    await stillAlive();
  });

  it("drops frames that are not JSON or lack the delimiter, and logs them", async () => {
    k.sendRaw("shell", [Buffer.from("<IDS|MSG>"), Buffer.from(""), Buffer.from("{not json"), Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}")]);
    k.sendRaw("shell", [Buffer.from("garbage")]);
    await stillAlive();
    expect(await k.stderrMatching(/dropped a message on shell: (header is not JSON|invalid HMAC)/)).toMatch(/dropped a message on shell: (header is not JSON|invalid HMAC)/);
    expect(await k.stderrMatching("no <IDS|MSG> delimiter")).toContain("no <IDS|MSG> delimiter");
  });

  it("rejects a wrong signature without executing, and logs it", async () => {
    const before = k.stderr.length;
    k.sendRaw("shell", k.frames("execute_request", { code: "globalThis.forged = true", silent: false }, "not-the-key"));
    expect(await k.stderrMatching("invalid HMAC signature", before)).toContain("invalid HMAC signature");
    expect(k.replies.shell.length).toBe(0);
    const { out } = await k.execute("(globalThis as any).forged === true");
    expect(resultOf(out)).toEqual({ "text/plain": "false" });
  });

  it("names close matches for an unknown magic", async () => {
    const { reply, out } = await k.execute("%timet 1 + 1");
    expect(reply.content.status).toBe("error");
    expect(errorOf(out)?.ename).toBe("PhasorError");
    expect(String(errorOf(out)?.evalue)).toMatch(/unknown magic "%timet". Did you mean "%time" or "%timeit"\?/);
    expect((errorOf(out)?.traceback as string[]).join("\n")).not.toContain("    at ");
  });

  it("shows the usage for wrong magic arguments", async () => {
    const { out } = await k.execute("%timeit -n zero 1");
    expect(errorOf(out)?.ename).toBe("PhasorError");
    expect(String(errorOf(out)?.evalue)).toContain("Usage: %timeit");
    const extra = await k.execute("%lsmagic unexpected");
    expect(String(errorOf(extra.out)?.evalue)).toMatch(/too many arguments[\s\S]*Usage: %lsmagic/);
  });

  it("reports a TypeScript type error with its cell line and column", async () => {
    const { reply, out } = await k.execute("const a = 1;\nconst b: string = a;");
    expect(reply.content.status).toBe("error");
    const e = errorOf(out)!;
    expect(e.ename).toBe("TSError");
    expect(e.evalue).toContain("line 2, column 7");
    expect((e.traceback as string[]).join("\n")).toContain("cell:2:7 - error TS2322");
  });

  it("reports a thrown error with ename, evalue and traceback", async () => {
    const { out } = await k.execute("function f() { throw new RangeError('too far'); }\nf()");
    const e = errorOf(out)!;
    expect([e.ename, e.evalue]).toEqual(["RangeError", "too far"]);
    expect((e.traceback as string[])[0]).toContain("RangeError");
    await stillAlive();
  });

  it("reports a rejected promise nobody awaits on stderr and carries on", async () => {
    const { reply, out } = await k.execute("Promise.reject(new Error('nobody listens')); 1");
    expect(reply.content.status).toBe("ok");
    const err = out.filter((m) => m.header.msg_type === "stream" && m.content.name === "stderr").map((m) => m.content.text).join("");
    expect(err).toContain("Unhandled promise rejection");
    expect(err).toContain("nobody listens");
    await stillAlive();
  });

  it("caps 50 MB of output in one cell and says how much it cut", async () => {
    const { reply, out } = await k.execute("for (let i = 0; i < 50; i++) console.log('x'.repeat(1_000_000));", {}, 60_000);
    expect(reply.content.status).toBe("ok");
    const text = out.filter((m) => m.header.msg_type === "stream").map((m) => String(m.content.text)).join("");
    expect(text.length).toBeLessThan(9_000_000);
    expect(text).toContain("output truncated");
    await stillAlive();
  }, 60_000);

  it("shows display data holding a bigint or a cycle instead of hanging the cell", async () => {
    const big = await k.execute("display.json({ big: 12345678901234567890n })");
    const shown = big.out.find((m) => m.header.msg_type === "display_data")?.content.data as Record<string, unknown> | undefined;
    expect(JSON.stringify(shown?.["application/json"])).toContain("12345678901234567890");
    const cyc = await k.execute("const o: any = { name: 'loop' }; o.self = o; display.json(o); 'after'");
    const all = JSON.stringify(cyc.out.map((m) => m.content));
    expect(all).toContain("[Circular]");
    expect(all).toContain("after");
    await stillAlive();
  });

  it("awaits a parenthesised expression at the top level of a cell", async () => {
    const { reply, out } = await k.execute("const v = await (Promise.resolve(41)); v + 1");
    expect(reply.content.status, JSON.stringify(errorOf(out))).toBe("ok");
    expect(resultOf(out)).toEqual({ "text/plain": "42" });
  });

  it("takes a trailing # comment on a magic line, keeping a # inside quotes", async () => {
    await k.execute(`const net = phasor.graph().input("in", [2]).linear("fc", [[1, 0], [0, 1]]).lif("lif", { tau: 0.01 }).output("out").build();`);
    const ok = await k.execute("%sim net --poisson 50 --steps 10 --quiet --as run1   # ten steps, bound to run1\nrun1.steps");
    expect(ok.reply.content.status, JSON.stringify(errorOf(ok.out))).toBe("ok");
    expect(resultOf(ok.out)).toEqual({ "text/plain": "10" });
    const quoted = await k.execute(`%sim net --poisson 50 --steps 10 --quiet --record "#lif"  # a comment`);
    expect(String(errorOf(quoted.out)?.evalue)).toContain('no node named "#lif"');
  });

  it("times a magic with %%time and %%timeit", async () => {
    const time = await k.execute("%%time\n%sim net --poisson 50 --steps 10 --quiet --as run2\nrun2.steps");
    expect(time.reply.content.status, JSON.stringify(errorOf(time.out))).toBe("ok");
    expect(streamText(time.out)).toMatch(/Wall time: /);
    expect(resultOf(time.out)).toEqual({ "text/plain": "10" });
    const timeit = await k.execute("%%timeit -n 2 -r 2\n%sim net --poisson 50 --steps 10 --quiet");
    expect(timeit.reply.content.status, JSON.stringify(errorOf(timeit.out))).toBe("ok");
    expect(streamText(timeit.out)).toMatch(/per loop \(mean ± std\. dev\. of 2 runs, 2 loops each\)/);
  });

  it("refuses a %train checkpoint that cannot be written before loading data or training", async () => {
    await k.execute("const bands = phasor.data.arrayDataset([0, 1, 0, 1].map((label) => ({ label, events: phasor.data.events({ t: [1, 2], x: [label, label] }) })), [2, 1, 1]);");
    const { reply, out } = await k.execute("%train bands --epochs 1 --batch 2 --steps 5 --checkpoint /no/such/dir/ck.json");
    expect(reply.content.status).toBe("error");
    const e = errorOf(out)!;
    expect(e.ename).toBe("PhasorError");
    expect(e.evalue).toBe("%train --checkpoint: cannot write /no/such/dir/ck.json: folder /no/such/dir does not exist; create it first (mkdir -p /no/such/dir) or choose another path");
    expect((e.traceback as string[]).join("\n")).not.toContain("    at ");
    expect(out.filter((m) => m.header.msg_type === "display_data" || m.header.msg_type === "stream")).toEqual([]); // no curves, no epoch
  });

  it("names files a magic cannot read or write, without a stack trace", async () => {
    for (const [cell, message] of [
      ["%sim net --input nope.csv", /nope\.csv: cannot read input file: does not exist; check the name/],
      ["%nir save net /no/such/dir/x.nir", /^%nir: \/no\/such\/dir\/x\.nir: folder \/no\/such\/dir does not exist; create it first/],
      ["%nir save net /tmp", /^%nir: \/tmp is a folder; give a file name/],
      ["%nir load /tmp --as z", /\/tmp: cannot read NIR file: is a directory/],
      ["%compile net --target nope.json", /nope\.json: cannot read target JSON: does not exist/],
    ] as const) {
      const { out } = await k.execute(cell);
      const e = errorOf(out);
      expect(e?.ename, cell).toBe("PhasorError");
      expect(String(e?.evalue), cell).toMatch(message);
      expect((e?.traceback as string[]).join("\n"), cell).not.toMatch(/    at |ENOENT|EISDIR/);
    }
  });

  it("survives process.exit in a cell (the cell process is replaced, the kernel stays)", async () => {
    const { out } = await k.execute("process.exit(3)");
    expect(errorOf(out)?.ename).toBe("ExecutionProcessDied");
    const next = await k.execute("1 + 1");
    expect(resultOf(next.out)).toEqual({ "text/plain": "2" });
  });
});

describe("kernel start-up with a port already taken", () => {
  it("exits with a message naming the port and what to do, leaving no cell process behind", async () => {
    const { createServer } = await import("node:net");
    const { spawnSync } = await import("node:child_process");
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { ROOT } = await import("./kernel-client.js");
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    const port = (taken.address() as { port: number }).port;
    const { freePort } = await import("./support.js");
    const free = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "phasor-port-"));
    const file = join(dir, "connection.json");
    const ports = { shell_port: port, control_port: free, stdin_port: free + 1, iopub_port: free + 2, hb_port: free + 3 };
    writeFileSync(file, JSON.stringify({ ...ports, ip: "127.0.0.1", transport: "tcp", key: "k", signature_scheme: "hmac-sha256" }));
    const r = spawnSync(process.execPath, [join(ROOT, "bin", "phasor.js"), "kernel", "-f", file], { encoding: "utf8", timeout: 30_000 });
    taken.close();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`cannot bind shell_port ${port}`);
    expect(r.stderr).toContain("restart the kernel");
    expect(r.stderr).not.toContain("triggerUncaughtException");
  }, 40_000);
});
