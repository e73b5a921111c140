/**
 * The offline text/html fallback for Plotly figures. plotly.js (from its npm package) is
 * inlined once per kernel session: the first figure's HTML defines window.Plotly, later
 * figures carry only a div and a small script that waits for window.Plotly. This is what
 * nbconvert's HTML export and front ends without a Plotly renderer show.
 */
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import type { Figure } from "../../lib/plot/figure.js";

let plotlySource: string | undefined;
let inlinedThisSession = false;

/** plotly.min.js from the plotly.js-dist-min package, made safe to put inside a <script> element. */
export function plotlyScriptSource(): string {
  if (plotlySource === undefined) {
    const file = require.resolve("plotly.js-dist-min/plotly.min.js");
    plotlySource = escapeScript(readFileSync(file, "utf8"));
  }
  return plotlySource;
}

/** Claims the session's one inlined copy of plotly.js: true the first time, then false until reset. */
export function claimPlotlyInline(): boolean {
  if (inlinedThisSession) return false;
  inlinedThisSession = true;
  return true;
}

/** Forgets that plotly.js was sent, so the next figure inlines it again (kernel restart; tests). */
export function resetPlotlyInlining(): void {
  inlinedThisSession = false;
}

/**
 * A <script> that defines window.Plotly unless the page already has it. While it runs,
 * `define`, `module` and `exports` are hidden (window.define set aside, and shadowed as
 * parameters) so that an AMD loader on the page (require.js in nbconvert's and classic
 * Notebook's pages) or a CommonJS shim cannot swallow the UMD bundle.
 */
export function plotlyLoaderScript(): string {
  return amdSafeScript(plotlyScriptSource(), "!window.Plotly");
}

/** A <script> running `js` (already escaped) when `condition` holds, with AMD/CommonJS globals hidden. */
export function amdSafeScript(js: string, condition = "true"): string {
  return (
    `<script type="text/javascript">if (${condition}) { (function () {\n` +
    `var savedDefine = window.define;\n` +
    `try { window.define = undefined; (function (define, module, exports) {\n` +
    js +
    `\n}).call(window); } finally { window.define = savedDefine; }\n` +
    `})(); }</script>`
  );
}

/** Options for `figureHtml`. */
export interface FigureHtmlOptions {
  /** Put plotly.js itself in front of the figure (the session's first figure, or a standalone page). */
  inline: boolean;
  /** Element id; default one derived from the figure (see contentId). */
  id?: string;
  /** CSS height of the plot div; default the layout's height or 450px. */
  height?: string;
}

/** A div plus a script that draws the figure with window.Plotly as soon as it exists. */
export function figureHtml(figure: Figure, opts: FigureHtmlOptions): string {
  const layoutHeight = figure.layout.height;
  const height = opts.height ?? (typeof layoutHeight === "number" ? `${layoutHeight}px` : "450px");
  const payload = scriptJson({ data: figure.data, layout: figure.layout, config: figure.config ?? {} });
  const id = opts.id ?? contentId(payload);
  const draw =
    `<script type="text/javascript">(function () {\n` +
    `var id = ${scriptJson(id)}, fig = ${payload};\n` +
    `var me = document.currentScript, started = Date.now();\n` +
    `function target() { var prev = me && me.previousElementSibling;\n` +
    `  return prev && prev.id === id ? prev : document.getElementById(id); }\n` +
    `function draw() {\n` +
    `  var div = target();\n` +
    `  if (div && div.isConnected !== false && window.Plotly) {\n` +
    `    Promise.resolve(window.Plotly.newPlot(div, fig.data, fig.layout, fig.config)).catch(function (e) {\n` +
    `      div.textContent = "Plotly could not draw this figure: " + e; });\n` +
    `    return; }\n` +
    `  if (Date.now() - started < ${WAIT_MS}) { setTimeout(draw, 50); return; }\n` +
    `  if (div) div.textContent = ${scriptJson(NOT_LOADED)};\n` +
    `}\n` +
    `draw();\n` +
    `})();</script>`;
  const div = `<div id="${id}" class="phasor-plot" style="width:100%;height:${height}"></div>`;
  return (opts.inline ? plotlyLoaderScript() + "\n" : "") + div + "\n" + draw;
}

/** How often each figure content was drawn this session (keeps ids unique when a figure repeats). */
const drawn = new Map<string, number>();

/**
 * An element id from the figure's content plus how often that content was drawn before in this
 * process: unique within a page, and the same on every run of a notebook, so re-executing it
 * gives byte-identical outputs (random ids made every saved notebook differ).
 */
function contentId(payload: string): string {
  const hash = createHash("sha256").update(payload).digest("hex").slice(0, 16);
  const n = drawn.get(hash) ?? 0;
  drawn.set(hash, n + 1);
  return `phasor-plot-${hash}${n ? `-${n}` : ""}`;
}

const WAIT_MS = 60_000;
const NOT_LOADED =
  "plotly.js is not loaded on this page. Phasor inlines it once per kernel session, in the first " +
  "figure's output; re-run the cell that showed the first figure, or use display.plotly(figure, { inline: true }).";

/** A complete HTML document; `withPlotly` puts plotly.js in its head. */
export function standalonePage(title: string, body: string, withPlotly: boolean): string {
  return (
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<title>${escapeText(title)}</title>\n` +
    (withPlotly ? plotlyLoaderScript() + "\n" : "") +
    `</head>\n<body style="margin:16px;font-family:sans-serif">\n${body}\n</body>\n</html>\n`
  );
}

/**
 * Makes JavaScript source safe inside a <script> element: `</script` and `<!--` would end
 * or confuse the element. `\x3C` means `<` in strings, templates and regexes alike.
 */
export function escapeScript(js: string): string {
  return js.replace(/<\/(script)/gi, "\\x3C/$1").replace(/<!--/g, "\\x3C!--");
}

/** JSON for a script: `<` escaped so no string in the data can close the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function escapeText(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
