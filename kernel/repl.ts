/**
 * `phasor repl`: the same cells and magics as the kernel, in a terminal. Cells run in the
 * same child process as in the kernel, so Ctrl-C stops the cell, not the REPL. Figures and
 * HTML are written as standalone HTML files whose path is printed.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import * as readline from "node:readline";
import { ChildHost } from "./executor/host.js";
import type { CellIO } from "./protocol/engine.js";
import type { MimeBundle } from "./protocol/messages.js";

/** REPL options. */
export interface ReplOptions {
  /** Where figures go (default: ./phasor-figures/<start time>, one folder per session). */
  figuresDir?: string;
  /** Readline history file (default: ~/.local/share/phasor/repl_history). */
  historyFile?: string;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

const HISTORY_MAX = 1000;

function defaultHistory(): string {
  const data = process.env.XDG_DATA_HOME || join(homedir(), ".local", "share");
  return join(data, "phasor", "repl_history");
}

function loadHistory(file: string): string[] {
  try {
    return readFileSync(file, "utf8").split("\n").filter(Boolean).reverse().slice(0, HISTORY_MAX);
  } catch {
    return [];
  }
}

function saveHistory(file: string, lines: string[]): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, lines.slice(0, HISTORY_MAX).reverse().join("\n") + "\n");
  } catch {
    // history is a convenience; never fail the REPL over it
  }
}

/**
 * The last line printed when it is a one-line display (a progress bar): its updates rewrite it
 * in place with \r, and it ends with a newline only when anything else is printed.
 */
class LiveLine {
  private id: string | undefined;
  private width = 0;

  constructor(private readonly out: NodeJS.WritableStream) {}

  /** Shows display `id`'s text: in place when it is still the last line, else on a line of its own. */
  show(id: string, text: string): void {
    if (this.id === id) this.out.write(`\r${text.padEnd(this.width)}`);
    else {
      this.end();
      this.out.write(text);
      this.id = id;
      this.width = 0;
    }
    this.width = Math.max(this.width, text.length);
  }

  /** Ends the live line, before any other output. */
  end(): void {
    if (this.id === undefined) return;
    this.out.write("\n");
    this.id = undefined;
  }
}

/** A display's text when it is one line of text and nothing else a terminal could show. */
function oneLine(bundle: MimeBundle): string | undefined {
  const text = bundle["text/plain"];
  if (bundle["application/vnd.plotly.v1+json"] !== undefined) return undefined;
  return typeof text === "string" && !text.includes("\n") ? text : undefined;
}

/** Prints a bundle: figures (and HTML with no text form) become files, the rest prints as text. */
function showBundle(out: NodeJS.WritableStream, bundle: MimeBundle, dir: string): void {
  const htmlOnly = typeof bundle["text/html"] === "string" && bundle["text/plain"] === undefined;
  if (bundle["application/vnd.plotly.v1+json"] !== undefined || htmlOnly) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { writeStandaloneHtml } = require("./display.js") as typeof import("./display.js");
    const file = writeStandaloneHtml(bundle, dir);
    const summary = typeof bundle["text/plain"] === "string" ? `${bundle["text/plain"]}\n` : "";
    if (file) return void out.write(`${summary}[figure written to ${file}]\n`);
  }
  const text = bundle["text/plain"] ?? bundle["text/markdown"] ?? JSON.stringify(bundle["application/json"] ?? Object.keys(bundle));
  out.write(`${String(text)}\n`);
}

/** Runs the terminal REPL until Ctrl-D (or `.exit`). */
export async function runRepl(o: ReplOptions = {}): Promise<void> {
  const input = o.input ?? process.stdin;
  const out = o.output ?? process.stdout;
  const started = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  const figures = o.figuresDir ?? join(process.cwd(), "phasor-figures", started);
  const historyFile = o.historyFile ?? defaultHistory();
  const live = new LiveLine(out);
  const host = new ChildHost({ log: (l) => (live.end(), out.write(`[phasor] ${l}\n`)) });
  let running = false;
  let count = 0;
  let buffer = "";

  const rl = readline.createInterface({
    input,
    output: out,
    terminal: (out as NodeJS.WriteStream).isTTY === true,
    history: loadHistory(historyFile),
    historySize: HISTORY_MAX,
    completer: (line: string, cb: (err: null, r: [string[], string]) => void) => {
      const code = buffer ? `${buffer}\n${line}` : line;
      host.complete(code, code.length).then(
        (c) => cb(null, [c.matches, code.slice(c.cursorStart, c.cursorEnd)]),
        () => cb(null, [[], line]),
      );
    },
  });
  // Take lines from now on: piped input that arrives while TypeScript loads must not be lost.
  const lines = rl[Symbol.asyncIterator]();
  const prompt = (): void => {
    live.end();
    rl.setPrompt(buffer ? "...   " : `In [${count + 1}]: `);
    rl.prompt();
  };

  const show = (data: MimeBundle, id?: string): void => {
    const line = id === undefined ? undefined : oneLine(data);
    if (line !== undefined) return live.show(id!, line);
    live.end();
    showBundle(out, data, figures);
  };
  const io: CellIO = {
    stream: (name, text) => (live.end(), (name === "stderr" ? process.stderr : out).write(text)),
    display: (data, _meta, id) => show(data, id),
    // A one-line update (a progress bar) rewrites its line; a figure's updates write no file (a loop
    // of them must not flood the folder).
    update: (data, _meta, id) => {
      if (data["application/vnd.plotly.v1+json"] === undefined) show(data, id);
    },
    clear: () => {},
    input: (p) => (live.end(), new Promise<string>((resolve) => rl.question(p, resolve))),
  };

  const run = async (code: string): Promise<void> => {
    running = true;
    count++;
    const r = await host.execute({ code, executionCount: count, silent: false, allowStdin: true }, io);
    running = false;
    live.end();
    if (r.status === "ok") {
      if (r.result) {
        out.write(`Out[${count}]: `);
        showBundle(out, r.result, figures);
      }
      for (const p of r.payload) if (p.source === "page") showBundle(out, (p.data ?? {}) as MimeBundle, figures);
    } else {
      out.write(`${r.traceback.length ? r.traceback.join("\n") : `${r.ename}: ${r.evalue}`}\n`);
    }
  };

  rl.on("SIGINT", () => {
    live.end();
    if (running) {
      out.write("^C (interrupting the cell)\n");
      host.interrupt();
      return;
    }
    if (buffer || rl.line) out.write("^C\n");
    buffer = "";
    rl.write(null, { ctrl: true, name: "u" });
    prompt();
  });

  await host.whenReady();
  out.write("Phasor REPL: TypeScript cells and %magics (%lsmagic). Ctrl-C stops a cell, Ctrl-D leaves.\n");
  out.write(`Figures go to ${figures} (phasor repl --figures DIR to change).\n`);
  prompt();
  for await (const line of { [Symbol.asyncIterator]: () => lines }) {
    if (!buffer && line.trim() === ".exit") break;
    buffer += (buffer ? "\n" : "") + line;
    const state = await host.isComplete(buffer + "\n");
    if (state.status === "incomplete" && line.trim() !== "") {
      prompt();
      continue;
    }
    const code = buffer;
    buffer = "";
    if (code.trim()) await run(code);
    prompt();
  }
  saveHistory(historyFile, (rl as readline.Interface & { history?: string[] }).history ?? []);
  rl.close();
  await host.shutdown();
}
