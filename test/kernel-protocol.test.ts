/**
 * Protocol behaviour over real zeromq sockets: cells (imports relative to the notebook,
 * npm packages, the `phasor` global), display updates and clearing, stdin, the empty-key
 * case, shutdown, and history kept across kernel restarts.
 */
import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Msg, ROOT, TestKernel } from "./kernel-client.js";

const result = (out: Msg[]) => out.find((m) => m.header.msg_type === "execute_result")?.content.data;
const types = (out: Msg[]) => out.map((m) => m.header.msg_type);

describe("kernel over zeromq", () => {
  let k: TestKernel;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "phasor-nb-"));
    writeFileSync(join(dir, "helper.ts"), "export function twice(x: number): number { return 2 * x; }\n");
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
    k = await TestKernel.start({ cwd: dir, env: { PHASOR_HISTORY_FILE: join(dir, "history.jsonl") } });
  });
  afterAll(async () => k?.close());

  it("imports local files relative to the notebook and npm packages", async () => {
    const r = await k.execute('import { twice } from "./helper";\nimport { Command } from "commander";\n[twice(21), typeof Command]');
    expect(r.reply.content.status).toBe("ok");
    expect(result(r.out)).toEqual({ "text/plain": "[ 42, 'function' ]" });
  });

  it("evaluates user_expressions after a cell that succeeded, each to a bundle or its own error", async () => {
    const r = await k.execute("const base = 21;", { user_expressions: { twice: "base * 2", typo: "bsae + 1" } });
    const ue = r.reply.content.user_expressions as Record<string, { status: string; data?: object; ename?: string; evalue?: string }>;
    expect(ue.twice).toEqual({ status: "ok", data: { "text/plain": "42" }, metadata: {} });
    expect(ue.typo.status).toBe("error");
    expect(ue.typo.evalue).toMatch(/bsae/);
    const failed = await k.execute("throw new Error('no')", { user_expressions: { twice: "base * 2" } });
    expect(failed.reply.content.status).toBe("error");
    expect(failed.reply.content.user_expressions).toBeUndefined();
  });

  it("has `phasor` and `display` without an import", async () => {
    const r = await k.execute("[typeof phasor.graph, typeof display.html]");
    expect(result(r.out)).toEqual({ "text/plain": "[ 'function', 'function' ]" });
  });

  it("sends display_data with several MIME types, update_display_data and clear_output", async () => {
    const r = await k.execute('const h = display.html("<b>1</b>");\nh.update("two");\ndisplay.clear(true);');
    expect(types(r.out)).toEqual(expect.arrayContaining(["display_data", "update_display_data", "clear_output"]));
    const shown = r.out.find((m) => m.header.msg_type === "display_data")!.content;
    expect(Object.keys(shown.data as object).sort()).toEqual(["text/html", "text/plain"]);
    const id = (shown.transient as { display_id: string }).display_id;
    expect((r.out.find((m) => m.header.msg_type === "update_display_data")!.content.transient as { display_id: string }).display_id).toBe(id);
    expect(result(r.out)).toBeUndefined();
  });

  it("asks the front end for input over stdin", async () => {
    const id = k.send("shell", "execute_request", { code: 'const who = await input("name? ");\n`hi ${who}`', silent: false, store_history: true, allow_stdin: true, stop_on_error: true, user_expressions: {} });
    const req = await k.reply("stdin");
    expect(req.header.msg_type).toBe("input_request");
    expect(req.content).toEqual({ prompt: "name? ", password: false });
    k.send("stdin", "input_reply", { value: "Ada" });
    const out = await k.waitIdle(id);
    expect(result(out)).toEqual({ "text/plain": "'hi Ada'" });
  });

  it("answers comm_info and closes comms it does not know", async () => {
    const id = k.send("shell", "comm_info_request", {});
    expect((await k.reply("shell", id)).content).toEqual({ status: "ok", comms: {} });
  });

  it("shuts down on shutdown_request and keeps history for the next kernel", async () => {
    await k.execute("const remembered = 'across restarts'");
    const id = k.send("control", "shutdown_request", { restart: false });
    expect((await k.reply("control", id)).content).toEqual({ status: "ok", restart: false });
    await new Promise<void>((r) => (k.proc.exitCode !== null ? r() : k.proc.once("exit", () => r())));
    const next = await TestKernel.start({ cwd: dir, env: { PHASOR_HISTORY_FILE: join(dir, "history.jsonl") } });
    try {
      const hid = next.send("shell", "history_request", { hist_access_type: "search", pattern: "*remembered*", output: false, raw: true });
      const h = await next.reply("shell", hid);
      expect(h.content.history).toEqual([[1, expect.any(Number), "const remembered = 'across restarts'"]]);
    } finally {
      await next.close();
    }
  });
});

describe("kernel with an empty key (no signing)", () => {
  it("runs cells with unsigned messages", async () => {
    const k = await TestKernel.start({ key: "" });
    try {
      const r = await k.execute("1 + 2");
      expect(result(r.out)).toEqual({ "text/plain": "3" });
    } finally {
      await k.close();
    }
  });
});
