/**
 * Small syntax-level helpers over tslab's TypeScript (loaded lazily, it is large): is a
 * snippet an expression, is a cell complete, and the await rewrites.
 */
import type * as TS from "@tslab/typescript-for-tslab";
import type { CompletenessReply } from "../protocol/engine.js";

let tsModule: typeof TS | null = null;

/** tslab's TypeScript, loaded on first use. */
export function ts(): typeof TS {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  tsModule ??= require("@tslab/typescript-for-tslab") as typeof TS;
  return tsModule;
}

function parse(src: string, kind: "ts" | "js"): TS.SourceFile {
  const t = ts();
  return t.createSourceFile(kind === "ts" ? "cell.ts" : "cell.js", src, t.ScriptTarget.Latest, true, kind === "ts" ? t.ScriptKind.TS : t.ScriptKind.JS);
}

function parseErrors(sf: TS.SourceFile): readonly TS.DiagnosticWithLocation[] {
  return (sf as TS.SourceFile & { parseDiagnostics?: TS.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
}

/** Whether `src` is exactly one expression (so a magic can return its value). */
export function isExpression(src: string): boolean {
  const sf = parse(src, "ts");
  if (parseErrors(sf).length || sf.statements.length !== 1) return false;
  const st = sf.statements[0];
  return ts().isExpressionStatement(st) && !ts().isObjectLiteralExpression(st.expression);
}

/** complete / incomplete (with the next line's indent) / invalid, as is_complete asks. */
export function completeness(code: string): CompletenessReply {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { isCompleteCode } = require("tslab/dist/converter") as typeof import("tslab/dist/converter");
  const r = isCompleteCode(code);
  if (!r.completed) return { status: "incomplete", indent: r.indent ?? "" };
  return parseErrors(parse(code, "ts")).length ? { status: "invalid" } : { status: "complete" };
}

/**
 * Rewrites every `await X` in emitted JavaScript to `await __phasor_cp(X)`, so an interrupt
 * can reject the awaits a cell (or a function it defined) is parked on.
 */
export function interruptibleAwaits(js: string): string {
  if (!js.includes("await")) return js; // most cells: no parse needed
  const t = ts();
  const sf = parse(js, "js");
  const edits: { at: number; text: string }[] = [];
  const visit = (n: TS.Node): void => {
    if (t.isAwaitExpression(n)) {
      edits.push({ at: n.expression.getStart(sf), text: "__phasor_cp(" }, { at: n.expression.getEnd(), text: ")" });
    }
    t.forEachChild(n, visit);
  };
  visit(sf);
  if (!edits.length) return js;
  edits.sort((a, b) => b.at - a.at);
  let out = js;
  for (const e of edits) out = out.slice(0, e.at) + e.text + out.slice(e.at);
  return out;
}

/**
 * tslab compiles a cell with top-level await off, so TypeScript reads a top-level `await (x)`
 * as a call of a function named `await`. Rewrites each such call to `await __phasor_await(x)`
 * (an identity function), which TypeScript reads as an await expression.
 */
export function awaitParenthesised(src: string): string {
  if (!/\bawait\s*\(/.test(src)) return src; // most cells: no parse needed
  const t = ts();
  const sf = parse(src, "ts");
  const at: number[] = [];
  const visit = (n: TS.Node): void => {
    if (t.isFunctionLike(n) || t.isClassLike(n)) return; // not top level: a plain call there
    const callsAwait = t.isCallExpression(n) && t.isIdentifier(n.expression) && n.expression.text === "await";
    if (callsAwait) at.push(n.expression.getEnd());
    t.forEachChild(n, visit);
  };
  visit(sf);
  let out = src;
  for (const i of at.sort((a, b) => b - a)) out = `${out.slice(0, i)} __phasor_await${out.slice(i)}`;
  return out;
}
