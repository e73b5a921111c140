/**
 * The `display` global of notebook cells: multi-MIME bundles, update_display_data,
 * clear_output, progress bars, tables, and Plotly figures (application/vnd.plotly.v1+json
 * plus an offline text/html fallback plus a text/plain summary). The kernel implements a
 * DisplaySink over iopub; the REPL implements one that prints text and writes HTML files.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { randomBytes, randomUUID } from "node:crypto";
import { join, resolve } from "node:path";
import { inspect } from "node:util";
import { isFigure, summarise, titleText, type Figure } from "../lib/plot/figure.js";
import { progressHtml, progressText, type ProgressState } from "../lib/plot/progress.js";
import { toJson } from "./display/json.js";
import { claimPlotlyInline, figureHtml, standalonePage } from "./display/plotly-html.js";
import { tableBundle, type TableInput, type TableOptions } from "./display/table.js";

export { resetPlotlyInlining } from "./display/plotly-html.js";
export type { TableInput, TableOptions, TableRow } from "./display/table.js";

/** MIME type → data, as display_data and execute_result carry it. */
export type MimeBundle = Record<string, unknown>;

/** Where display output goes: the kernel implements one over iopub, the REPL one writing files. */
export interface DisplaySink {
  display(data: MimeBundle, metadata: Record<string, unknown>, displayId?: string): void;
  update(data: MimeBundle, metadata: Record<string, unknown>, displayId: string): void;
  clear(wait: boolean): void;
}

/** The MIME type Plotly renderers (JupyterLab, VS Code, nteract) read. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** The symbol an object's display method is keyed by: `[Symbol.for("Jupyter.display")]() { return bundle }`. */
export const DISPLAY_SYMBOL: symbol = Symbol.for("Jupyter.display");

/** Options every display call takes. */
export interface DisplayOptions {
  /** Output metadata (e.g. `{ "image/png": { width: 200 } }`). */
  metadata?: Record<string, unknown>;
  /** Use this display id (to update it later by name); default a fresh one. */
  displayId?: string;
  /** Treat the value as a ready MIME bundle. */
  raw?: boolean;
}

/** An output that can be replaced in place (update_display_data). */
export interface DisplayHandle {
  readonly displayId: string;
  /** Replaces this output with the display of `value`. */
  update(value: unknown, options?: DisplayOptions): void;
}

/** A progress bar output; updates are sent only when the shown percentage or label changes. */
export interface ProgressHandle {
  readonly displayId: string;
  /** Sets the fraction done (0..1) and optionally a new label. */
  update(fraction: number, label?: string): void;
  /** Shows the bar as finished, with an optional note (default "done in N s"). */
  done(note?: string): void;
}

/** The `display` global: call it with any value, or use one of its methods. */
export interface Display {
  (value: unknown, options?: DisplayOptions): DisplayHandle;
  /** Displays any value: its own display, a Plotly figure, else its text form (util.inspect). */
  display(value: unknown, options?: DisplayOptions): DisplayHandle;
  /** Displays an HTML fragment. */
  html(html: string, options?: DisplayOptions): DisplayHandle;
  /** Displays Markdown. */
  markdown(markdown: string, options?: DisplayOptions): DisplayHandle;
  /** Displays a value as application/json (typed arrays become arrays). */
  json(value: unknown, options?: DisplayOptions): DisplayHandle;
  /** Displays rows (objects or arrays) as an HTML table with a text/plain twin. */
  table(input: TableInput, options?: DisplayOptions & TableOptions): DisplayHandle;
  /** Displays a Plotly figure; `inline: true` embeds plotly.js in this output even if it was sent before. */
  plotly(figure: Figure, options?: DisplayOptions & { inline?: boolean }): DisplayHandle;
  /** Displays plain text. */
  text(text: string, options?: DisplayOptions): DisplayHandle;
  /** Replaces an earlier output (by handle or display id) with the display of `value`. */
  update(handle: DisplayHandle | string, value: unknown, options?: DisplayOptions): void;
  /** Clears the cell's output; with `wait`, only when the next output arrives. */
  clear(wait?: boolean): void;
  /** Starts a progress bar output. */
  progress(label: string, options?: DisplayOptions): ProgressHandle;
}

/** Creates the `display` global of cells, sending everything to `sink`. */
export function createDisplay(sink: DisplaySink): Display {
  const show = (bundle: MimeBundle, options: DisplayOptions = {}): DisplayHandle => {
    const displayId = options.displayId ?? randomUUID();
    sink.display(bundle, options.metadata ?? {}, displayId);
    return handleFor(displayId);
  };
  const update = (handle: DisplayHandle | string, value: unknown, options: DisplayOptions = {}): void => {
    const id = typeof handle === "string" ? handle : handle.displayId;
    sink.update(bundleOf(value, options), options.metadata ?? {}, id);
  };
  const handleFor = (displayId: string): DisplayHandle => ({
    displayId,
    update: (value, options) => update(displayId, value, options),
  });
  const display = (value: unknown, options?: DisplayOptions): DisplayHandle => show(bundleOf(value, options), options);

  return Object.assign(display, {
    display,
    html: (html: string, options?: DisplayOptions) => show({ "text/html": html, "text/plain": htmlToText(html) }, options),
    markdown: (md: string, options?: DisplayOptions) => show({ "text/markdown": md, "text/plain": md }, options),
    json: (value: unknown, options?: DisplayOptions) => show(jsonBundle(value), options),
    table: (input: TableInput, options?: DisplayOptions & TableOptions) => show(tableBundle(input, options), options),
    plotly: (figure: Figure, options?: DisplayOptions & { inline?: boolean }) => {
      if (!isFigure(figure)) throw new TypeError("display.plotly: expected a Plotly figure { data: [...], layout?, config? }");
      return show(figureBundle(figure, options?.inline ?? claimPlotlyInline()), options);
    },
    text: (text: string, options?: DisplayOptions) => show({ "text/plain": String(text) }, options),
    update,
    clear: (wait = false) => sink.clear(wait),
    progress: (label: string, options?: DisplayOptions) => startProgress(show, sink, label, options),
  });
}

/** A value's own bundle (Symbol.for("Jupyter.display")) or a Plotly figure's bundle; else undefined. */
export function toMimeBundle(value: unknown): MimeBundle | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const method: unknown = (value as Record<symbol, unknown>)[DISPLAY_SYMBOL];
  if (typeof method === "function") return ownBundle(method.call(value));
  if (isFigure(value)) return figureBundle(value, claimPlotlyInline());
  return undefined;
}

/** The bundle for a Plotly figure; `inline` puts plotly.js itself into its text/html. */
export function figureBundle(figure: Figure, inline: boolean): MimeBundle {
  const clean = jsonFigure(figure);
  return {
    [PLOTLY_MIME]: clean,
    "text/html": figureHtml(clean, { inline }),
    "text/plain": summarise(clean),
  };
}

/** REPL: writes a self-contained HTML page for a figure or HTML bundle into `dir`; returns its path. */
export function writeStandaloneHtml(bundle: MimeBundle, dir: string): string | undefined {
  const figure = bundle[PLOTLY_MIME];
  const html = bundle["text/html"];
  let page: string;
  let name: string;
  if (isFigure(figure)) {
    const clean = jsonFigure(figure);
    const title = titleText(clean.layout) || "Phasor figure";
    page = standalonePage(title, figureHtml(clean, { inline: false, height: "calc(100vh - 40px)" }), true);
    name = title;
  } else if (typeof html === "string") {
    page = standalonePage("Phasor output", html, html.includes("Plotly"));
    name = "output";
  } else {
    return undefined;
  }
  mkdirSync(dir, { recursive: true });
  for (;;) {
    const file = resolve(join(dir, `${slug(name)}-${timestamp()}-${randomBytes(3).toString("hex")}.html`));
    try {
      writeFileSync(file, page, { flag: "wx" }); // "wx": never overwrite an earlier figure
      return file;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
}

function bundleOf(value: unknown, options: DisplayOptions = {}): MimeBundle {
  if (options.raw) {
    const own = ownBundle(value);
    if (own) return own;
  }
  if (typeof value === "string") return { "text/plain": value };
  return toMimeBundle(value) ?? { "text/plain": inspect(value, { depth: 4, colors: false }) };
}

/** Checks what a display method returned; adds the HTML and text twins of a bare Plotly bundle. */
function ownBundle(result: unknown): MimeBundle {
  if (typeof result !== "object" || result === null || Array.isArray(result)) {
    throw new TypeError(`a [Symbol.for("Jupyter.display")]() method must return a MIME bundle object, got ${inspect(result)}`);
  }
  if (typeof (result as { then?: unknown }).then === "function") {
    throw new TypeError(`a [Symbol.for("Jupyter.display")]() method must return its MIME bundle, not a Promise`);
  }
  const bundle: MimeBundle = { ...result };
  const figure = bundle[PLOTLY_MIME];
  if (isFigure(figure) && bundle["text/html"] === undefined) {
    const full = figureBundle(figure, claimPlotlyInline());
    return { ...full, ...bundle, [PLOTLY_MIME]: full[PLOTLY_MIME] };
  }
  return bundle;
}

function jsonFigure(figure: Figure): Figure {
  const clean = toJson({ ...figure, layout: figure.layout ?? {} });
  if (!isFigure(clean)) throw new TypeError("not a Plotly figure after conversion to JSON");
  return clean;
}

function jsonBundle(value: unknown): MimeBundle {
  const json = toJson(value);
  return { "application/json": json, "text/plain": JSON.stringify(json, null, 2) ?? "null" };
}

function startProgress(show: (b: MimeBundle, o?: DisplayOptions) => DisplayHandle, sink: DisplaySink, label: string, options?: DisplayOptions): ProgressHandle {
  const started = Date.now();
  const state: ProgressState = { label, fraction: 0 };
  const bundle = (): MimeBundle => ({ "text/html": progressHtml(state), "text/plain": progressText(state) });
  let shown = progressText(state);
  const { displayId } = show(bundle(), options);
  const send = (): void => {
    const text = progressText(state);
    if (text === shown) return; // a tight loop calling update() sends only visible changes
    shown = text;
    sink.update(bundle(), options?.metadata ?? {}, displayId);
  };
  return {
    displayId,
    update(fraction: number, newLabel?: string) {
      if (state.done) return;
      state.fraction = fraction;
      if (newLabel !== undefined) state.label = newLabel;
      send();
    },
    done(note?: string) {
      state.done = true;
      state.note = note ?? `done in ${((Date.now() - started) / 1000).toFixed(1)} s`;
      send();
    },
  };
}

/** Rough text of an HTML fragment for text/plain (terminals, jupyter console). */
function htmlToText(html: string): string {
  const text = html.replace(/<(script|style)[\s\S]*?<\/\1>/gi, "").replace(/<br\s*\/?>|<\/(p|div|tr|li|h\d)>/gi, "\n").replace(/<[^>]*>/g, "");
  return decodeEntities(text).replace(/\n{3,}/g, "\n\n").trim();
}

function decodeEntities(s: string): string {
  const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] !== "#") return named[e.toLowerCase()] ?? m;
    const code = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : m;
  });
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "figure";
}

function timestamp(): string {
  return new Date().toISOString().replace(/\D/g, "").slice(0, 14);
}
