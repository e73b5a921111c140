/** Turns what went wrong in a cell into ename / evalue / traceback. */
import { inspect } from "node:util";
import type { Diagnostic } from "tslab/dist/converter";
import { isPhasorError } from "../../lib/ir/errors.js";
import type { ErrorContent } from "../protocol/messages.js";

const RED = "\x1b[0;31m";
const RESET = "\x1b[0m";

/** Raised into awaits and reported when the user interrupts a cell. */
export class InterruptedError extends Error {
  override readonly name = "Interrupted";
  constructor(message = "the cell was interrupted") {
    super(message);
  }
}

/** TypeScript diagnostics, with the cell line, column and a caret under the span. */
export function diagnosticsError(diags: Diagnostic[], cell: string): ErrorContent {
  const lines = cell.split("\n");
  const tb: string[] = [];
  for (const d of diags) {
    const where = `${d.fileName ?? "cell"}:${d.start.line + 1}:${d.start.character + 1}`;
    tb.push(`${RED}${where} - error TS${d.code}: ${d.messageText}${RESET}`);
    if (!d.fileName && lines[d.start.line] !== undefined) {
      const width = d.end.line === d.start.line ? Math.max(1, d.end.character - d.start.character) : 1;
      tb.push(`  ${lines[d.start.line]}\n  ${" ".repeat(d.start.character)}${"^".repeat(width)}`);
    }
  }
  const d = diags[0];
  const evalue = `${d.messageText} (line ${d.start.line + 1}, column ${d.start.character + 1})`;
  return { ename: "TSError", evalue, traceback: tb };
}

/** Whether a thrown value is one of the interrupt errors (ours, vm's or tslab's). */
export function isInterrupt(e: unknown): boolean {
  if (e instanceof InterruptedError) return true;
  const m = e instanceof Error ? e.message : "";
  return /^Script execution (was )?interrupted/.test(m) || m === "Interrupted asynchronously";
}

const INTERNAL = /\(node:|at node:|tslab[\\/]dist|kernel[\\/]executor|kernel[\\/]magics[\\/](runtime|args)/;

/** A thrown value as an error reply: PhasorError without a stack, internal frames trimmed. */
export function thrownError(e: unknown): ErrorContent {
  if (isInterrupt(e)) {
    return { ename: "Interrupted", evalue: "the cell was interrupted", traceback: [`${RED}Interrupted${RESET}: the cell was interrupted; variables from earlier cells are kept`] };
  }
  if (isPhasorError(e)) return { ename: "PhasorError", evalue: e.message, traceback: [`${RED}PhasorError${RESET}: ${e.message}`] };
  if (e instanceof Error) {
    // Only the "at" frames: vm decorates stacks with a source excerpt we do not want twice.
    // Cell frames point into tslab's emitted JavaScript, so their line numbers are dropped.
    const frames = (e.stack ?? "")
      .split("\n")
      .filter((l) => /^\s+at /.test(l) && !INTERNAL.test(l))
      .map((l) => l.replace(/evalmachine\.<anonymous>:\d+:\d+/, "<cell>"));
    const head = `${RED}${e.name}${RESET}: ${e.message}`;
    return { ename: e.name || "Error", evalue: e.message, traceback: [head, ...frames] };
  }
  const text = inspect(e);
  return { ename: "Thrown", evalue: text, traceback: [`${RED}Uncaught${RESET} ${text}`] };
}
