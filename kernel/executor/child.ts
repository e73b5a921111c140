/**
 * Entry point of the process that runs cells (forked by host.ts). It owns the user's
 * state; the kernel process talks to it over IPC and interrupts it with SIGINT.
 */
import { type ChildMessage, type HostMessage, isHostMessage, type ReplyMap } from "./ipc.js";
import { CellSession } from "./session.js";
import { completeness } from "./tsutil.js";
import { hasMagic } from "../magics/transform.js";
import type { CompletenessReply } from "../protocol/engine.js";

/**
 * IPC is JSON (cheaper per message than structured clone on a cell's round trip). A value
 * JSON cannot carry (a bigint) is written as a string; one it cannot carry at all (a cycle in display data)
 * becomes an error the user sees, never a cell that hangs.
 */
function send(m: ChildMessage): void {
  if (!process.connected) return;
  try {
    process.send?.(m);
  } catch (e) {
    process.send?.(jsonSafe(m, e as Error));
  }
}

function jsonSafe(m: ChildMessage, why: Error): ChildMessage {
  try {
    return JSON.parse(JSON.stringify(m, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))) as ChildMessage;
  } catch {
    const evalue = `the cell's output could not be sent to the kernel: ${why.message}`;
    if (m.ev === "reply") return { ev: "reply", id: m.id, value: { status: "error", ename: "OutputError", evalue, traceback: [`OutputError: ${evalue}`] } };
    return { ev: "stream", name: "stderr", text: `${evalue}\n` };
  }
}

let nextInput = 1;
const inputs = new Map<number, { resolve(v: string): void; reject(e: Error): void }>();
let allowStdin = true;

const session = new CellSession({
  stream: (name, text) => send({ ev: "stream", name, text }),
  sink: {
    display: (data, metadata, displayId) => send({ ev: "display", data, metadata, displayId }),
    update: (data, metadata, displayId) => send({ ev: "update", data, metadata, displayId }),
    clear: (wait) => send({ ev: "clear", wait }),
  },
  input: (prompt, password) => {
    if (!allowStdin) return Promise.reject(new Error("this front end does not support input (allow_stdin is false)"));
    const inputId = nextInput++;
    return new Promise<string>((resolve, reject) => {
      inputs.set(inputId, { resolve, reject });
      send({ ev: "input", inputId, prompt, password });
    });
  },
});

function isComplete(code: string): CompletenessReply {
  if (/^\s*%%/.test(code)) return /\n\s*\n\s*$/.test(code) || !code.includes("\n") ? { status: "complete" } : { status: "incomplete", indent: "" };
  return completeness(hasMagic(code) ? session.transform(code) : code);
}

async function answer(m: HostMessage): Promise<void> {
  if (m.op === "input") {
    const p = inputs.get(m.inputId);
    inputs.delete(m.inputId);
    if (m.error !== undefined) p?.reject(new Error(m.error));
    else p?.resolve(m.value ?? "");
    return;
  }
  let value: ReplyMap[keyof ReplyMap];
  try {
    switch (m.op) {
      case "execute":
        allowStdin = m.allowStdin;
        value = await session.execute(m.code, m.userExpressions);
        break;
      case "complete":
        value = session.complete(m.code, m.pos);
        break;
      case "inspect":
        value = session.inspect(m.code, m.pos);
        break;
      case "isComplete":
        value = isComplete(m.code);
        break;
    }
  } catch (e) {
    process.stderr.write(`phasor: ${m.op} failed: ${(e as Error).stack ?? String(e)}\n`);
    value = m.op === "execute" ? { status: "error", ename: "InternalError", evalue: String(e), traceback: [] } : fallback(m.op);
  }
  send({ ev: "reply", id: m.id, value });
}

function fallback(op: "complete" | "inspect" | "isComplete"): ReplyMap[typeof op] {
  if (op === "complete") return { matches: [], cursorStart: 0, cursorEnd: 0 };
  if (op === "inspect") return { found: false, data: {} };
  return { status: "unknown" };
}

function main(): void {
  process.on("SIGINT", () => {
    send({ ev: "sigint" });
    session.interrupt();
  });
  // A user's stray error must not end the process that holds their variables.
  process.on("uncaughtException", (e) => process.stderr.write(`Uncaught exception (in a callback): ${(e as Error).stack ?? String(e)}\n`));
  process.on("unhandledRejection", (r) =>
    process.stderr.write(`Unhandled promise rejection: ${r instanceof Error ? (r.stack ?? r.message) : String(r)}\n`),
  );
  process.on("disconnect", () => process.exit(0));
  session.capture.install();
  process.on("message", (m: unknown) => {
    if (isHostMessage(m)) void answer(m);
  });
  session.init();
  send({ ev: "ready" });
}

main();
