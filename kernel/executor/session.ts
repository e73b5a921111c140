/**
 * Runs cells with tslab's converter and executor, in the process that owns the user's
 * state. Adds what tslab lacks: results as MIME bundles, errors as data, magics, the
 * `phasor` / `display` / `input` globals, interruptible awaits, and an output cap.
 */
import { inspect } from "node:util";
import type { Converter, Diagnostic } from "tslab/dist/converter";
import type { Executor } from "tslab/dist/executor";
import type { Display, DisplaySink } from "../display.js";
import { MagicRuntime } from "../magics/runtime.js";
import { hasMagic, transformCell } from "../magics/transform.js";
import type { MagicContext } from "../magics/types.js";
import type { ExecuteOutcome, ExpressionResult } from "../protocol/engine.js";
import type { MimeBundle, Payload } from "../protocol/messages.js";
import { diagnosticsError, InterruptedError, thrownError } from "./errors.js";
import { defineLazyGlobal, globalsImports, publicApiPath } from "./globals.js";
import { requireCached } from "./codecache.js";
import { OutputCapture } from "./output.js";
import { awaitParenthesised, interruptibleAwaits, isExpression } from "./tsutil.js";

/** How the session reaches the outside world. */
export interface SessionIO {
  stream(name: "stdout" | "stderr", text: string): void;
  sink: DisplaySink;
  input(prompt: string, password: boolean): Promise<string>;
}

/** One user's cells: state persists from cell to cell. */
export class CellSession {
  readonly capture: OutputCapture;
  private executor!: Executor;
  private converter!: Converter;
  private display!: Display;
  private runtime!: MagicRuntime;
  private readonly varTypes = new Map<string, string>();
  private readonly parked = new Set<(e: Error) => void>();
  private abort = new AbortController();
  private payload: Payload[] = [];
  private diagnostics: Diagnostic[] | null = null;
  private thrown: { value: unknown } | null = null;
  private result: { value: unknown } | null = null;
  private shownIds = new Set<string>();
  private saveCodeCache: (() => void) | null = null;

  constructor(private readonly io: SessionIO, private readonly cwd = process.cwd()) {
    this.capture = new OutputCapture(io.stream);
  }

  /** Loads TypeScript and creates the converter (about a second). */
  init(): void {
    this.saveCodeCache = requireCached("@tslab/typescript-for-tslab").save;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createConverter } = require("tslab/dist/converter") as typeof import("tslab/dist/converter");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createExecutor } = require("tslab/dist/executor") as typeof import("tslab/dist/executor");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createDisplay } = require("../display.js") as typeof import("../display.js");
    this.converter = createConverter({});
    const conv = this.wrapConverter(this.converter);
    this.executor = createExecutor(this.cwd, { node: conv, browser: conv, close: () => conv.close() }, {
      log: (value: unknown) => (this.result = { value }),
      error: (...args: unknown[]) => {
        // tslab prints diagnostics as ("%s%d:%d - %s", ...) and thrown values as (e).
        if (!(typeof args[0] === "string" && args[0].startsWith("%s%d:%d"))) this.thrown = { value: args[0] };
      },
    });
    this.display = createDisplay(this.orderedSink(this.io.sink));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.runtime = new MagicRuntime(() => (require("../magics/index.js") as typeof import("../magics/index.js")).magicRegistry(), () => this.magicContext());
    this.installGlobals();
  }

  private wrapConverter(real: Converter): Converter {
    const heads = globalsImports();
    let phasorTypes = false;
    const decl = (prev: string, src: string): string => {
      // `phasor`'s types load on first mention: most of a cold first cell's time otherwise.
      phasorTypes ||= /\bphasor\b/.test(src);
      // A magic-bound variable that a later cell redeclared is the cell's now.
      for (const n of this.varTypes.keys()) if (new RegExp(`declare (let|const|var|function|class) ${n}\\b`).test(prev)) this.varTypes.delete(n);
      const vars = [...this.varTypes].map(([n, t]) => `declare let ${n}: ${t};\n`).join("");
      return heads.core + (phasorTypes ? heads.phasor : "") + vars + prev;
    };
    return {
      convert: (prev, cell) => {
        const src = awaitParenthesised(cell);
        const r = real.convert(decl(prev, src), src);
        this.diagnostics = r.diagnostics.length ? r.diagnostics : null;
        if (r.output) r.output = interruptibleAwaits(r.output);
        return r;
      },
      inspect: (prev, src, pos) => real.inspect(decl(prev, src), src, pos),
      complete: (prev, src, pos) => real.complete(decl(prev, src), src, pos),
      addModule: (name, content, meta) => real.addModule(name, content, meta),
      close: () => real.close(),
    };
  }

  /** Output printed before a display call must reach the front end before it. */
  private orderedSink(sink: DisplaySink): DisplaySink {
    return {
      display: (d, m, id) => (this.capture.flush(), id && this.shownIds.add(id), sink.display(d, m, id)),
      update: (d, m, id) => (this.capture.flush(), sink.update(d, m, id)),
      clear: (w) => (this.capture.flush(), sink.clear(w)),
    };
  }

  private installGlobals(): void {
    const g = globalThis as typeof globalThis & Record<string, unknown>;
    defineLazyGlobal("phasor", () => require(publicApiPath()));
    g.display = this.display;
    const input = (prompt = "", options?: { password?: boolean }): Promise<string> => {
      this.capture.flush();
      return this.parkable(this.io.input(String(prompt), !!options?.password));
    };
    g.input = input;
    g.prompt = input;
    Object.defineProperty(globalThis, "signal", { configurable: true, get: () => this.abort.signal });
    g.__phasor_cp = (x: unknown) => this.parkable(Promise.resolve(x));
    g.__phasor_await = (x: unknown) => x;
    this.runtime.install(g);
  }

  /** A promise that an interrupt rejects (every await in a cell goes through this). */
  private parkable<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.parked.add(reject);
      p.then(
        (v) => (this.parked.delete(reject), resolve(v)),
        (e: unknown) => (this.parked.delete(reject), reject(e)),
      );
    });
  }

  private magicContext(): MagicContext {
    return {
      display: this.display,
      cwd: this.cwd,
      signal: this.abort.signal,
      setVariable: (name, value) => {
        // Like a variable a cell declared: tslab keeps those on its exports object.
        this.executor.locals[name] = value;
        this.varTypes.set(name, "any");
      },
      getVariable: (name) => (name in this.executor.locals ? this.executor.locals[name] : (globalThis as Record<string, unknown>)[name]),
      page: (text) => this.payload.push({ source: "page", data: { "text/plain": text }, start: 0 }),
      print: (text) => process.stdout.write(text),
      magics: () => this.runtime.specs(),
    };
  }

  /** Magic lines rewritten into TypeScript. */
  transform(code: string): string {
    if (!hasMagic(code)) return code;
    return transformCell(code, this.runtime.shapeOf, this.runtime.split, isExpression);
  }

  /** Runs one cell, then (when it succeeded) the front end's user expressions. Never throws: every failure is an error outcome. */
  async execute(code: string, userExpressions?: Record<string, string>): Promise<ExecuteOutcome> {
    this.capture.beginCell();
    this.payload = [];
    this.abort = new AbortController();
    this.diagnostics = this.thrown = this.result = null;
    this.shownIds.clear();
    let outcome: ExecuteOutcome;
    try {
      const ok = await this.executor.execute(this.transform(code));
      outcome = ok ? { status: "ok", result: this.bundle(), payload: this.payload } : this.failure(code);
      if (outcome.status === "ok" && userExpressions && Object.keys(userExpressions).length) outcome.userExpressions = await this.evaluate(userExpressions);
    } catch (e) {
      outcome = { status: "error", ...thrownError(e) };
    }
    try {
      this.runtime.endInline();
    } catch (e) {
      process.stderr.write(`${String(e)}\n`);
    }
    // One macrotask, so that rejections this cell left unhandled are reported with it.
    await new Promise((r) => setImmediate(r));
    this.capture.flush(true);
    if (this.saveCodeCache) setImmediate(this.saveCodeCache);
    this.saveCodeCache = null;
    return outcome;
  }

  /** Each expression's value as a MIME bundle, or its error (a TypeScript diagnostic or a throw). */
  private async evaluate(expressions: Record<string, string>): Promise<Record<string, ExpressionResult>> {
    const results: Record<string, ExpressionResult> = {};
    for (const [name, expr] of Object.entries(expressions)) {
      this.diagnostics = this.thrown = this.result = null;
      try {
        const ok = await this.executor.execute(String(expr));
        const r = ok ? null : this.failure(String(expr));
        results[name] = r && r.status === "error" ? r : { status: "ok", data: this.bundle() ?? { "text/plain": "undefined" }, metadata: {} };
      } catch (e) {
        results[name] = { status: "error", ...thrownError(e) };
      }
    }
    return results;
  }

  private failure(code: string): ExecuteOutcome {
    if (this.diagnostics) return { status: "error", ...diagnosticsError(this.diagnostics, code) };
    if (this.thrown) return { status: "error", ...thrownError(this.thrown.value) };
    return { status: "error", ename: "Error", evalue: "the cell failed", traceback: [] };
  }

  private bundle(): MimeBundle | undefined {
    if (!this.result) return undefined;
    const value = this.result.value;
    if (this.isOwnHandle(value)) return undefined; // display(...) as the last line shows once

    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { toMimeBundle } = require("../display.js") as typeof import("../display.js");
    try {
      const own = toMimeBundle(value);
      if (own) return own;
    } catch (e) {
      process.stderr.write(`display failed: ${(e as Error).message}\n`);
    }
    return { "text/plain": inspect(value, { depth: 4, maxArrayLength: 100, maxStringLength: 10_000 }) };
  }

  private isOwnHandle(v: unknown): boolean {
    if (typeof v !== "object" || v === null) return false;
    const id = (v as { displayId?: unknown }).displayId;
    return typeof id === "string" && this.shownIds.has(id);
  }

  /** Stops the running cell: rejects parked awaits, aborts `signal`, and tslab's race. */
  interrupt(): void {
    this.abort.abort(new InterruptedError());
    const parked = [...this.parked];
    this.parked.clear();
    for (const reject of parked) reject(new InterruptedError());
    this.executor?.interrupt();
  }

  /** Completion at a cursor (UTF-16 offsets). */
  complete(code: string, pos: number): { matches: string[]; cursorStart: number; cursorEnd: number } {
    const lineStart = code.lastIndexOf("\n", pos - 1) + 1;
    const variables = () => this.executor.locals;
    const magic = this.runtime.complete(code.slice(lineStart, pos), { cwd: this.cwd, variables });
    if (magic) return { matches: magic.matches, cursorStart: lineStart + magic.start, cursorEnd: pos };
    const r = this.executor.complete(maskMagics(code), pos);
    return { matches: prefixFirst(r.candidates, code.slice(r.start, pos)), cursorStart: r.start, cursorEnd: r.end };
  }

  /** Hover text at a cursor: a magic's help, or TypeScript's quick info. */
  inspect(code: string, pos: number): { found: boolean; data: MimeBundle } {
    const lineStart = code.lastIndexOf("\n", pos - 1) + 1;
    const magic = /^\s*%%?([\w-]+)/.exec(code.slice(lineStart));
    if (magic && this.runtime.names().includes(magic[1])) {
      return { found: true, data: { "text/plain": this.runtime.helpFor(magic[1]) } };
    }
    const masked = maskMagics(code);
    const info = this.executor.inspect(masked, pos) ?? (pos > 0 ? this.executor.inspect(masked, pos - 1) : undefined);
    if (!info) return { found: false, data: {} };
    const sig = (info.displayParts ?? []).map((p) => p.text).join("");
    const doc = (info.documentation ?? []).map((p) => p.text).join("");
    const text = doc ? `${sig}\n\n${doc}` : sig;
    return { found: true, data: { "text/plain": text, "text/markdown": "```typescript\n" + sig + "\n```" + (doc ? `\n\n${doc}` : "") } };
  }

  /** Closes the converter's file watchers. */
  close(): void {
    this.executor?.close();
  }
}

/** Of TypeScript's candidates (fuzzy), those that start with the typed text when there are any; else all. */
function prefixFirst(candidates: string[], typed: string): string[] {
  const exact = candidates.filter((c) => c.startsWith(typed));
  if (exact.length) return exact;
  const loose = candidates.filter((c) => c.toLowerCase().startsWith(typed.toLowerCase()));
  return loose.length ? loose : candidates;
}

/** Blanks magic lines (keeping offsets) so TypeScript services see plain code. */
function maskMagics(code: string): string {
  return code.replace(/^(\s*%.*)$/gm, (l) => " ".repeat(l.length));
}
