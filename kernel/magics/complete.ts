/**
 * Completion of magic lines, derived from the magics' declarations (types.ts): magic names,
 * option flags, and values: choices, target names, node and layer names of the Graph or
 * Program a positional argument names, files and cell variables. The kernel's
 * complete_request and the REPL's Tab both come here (CellSession.complete).
 *
 * A value without a `complete` declaration is inferred: `choices` complete as themselves, an
 * option with `parse` (a number) has no candidates, else its placeholder says (PLACEHOLDERS:
 * `<target>`, `<nodes>`, `<layers>`, `<file>`, `<dir>`, `<var>`, ...); a positional
 * argument completes from cell variables and files.
 */
import { readdirSync, statSync, type Dirent } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { analyseGraph } from "../../lib/ir/validate.js";
import { targetNames } from "../../lib/target/registry.js";
import { flagsOf, placeholderOf, takesValue } from "./args.js";
import type { MagicArgument, MagicOption, MagicSpec, ValueCompletion, ValueSource } from "./types.js";
import { isGraph } from "./values.js";

/** What the completer may look at. */
export interface CompletionEnv {
  spec(name: string): MagicSpec | undefined;
  names(): string[];
  /** The cell variables by name. */
  variables(): Record<string, unknown>;
  /** Relative file names resolve against it. */
  cwd: string;
}

/** Matches, and the offset in the text given where the span they replace starts (it ends at the end). */
export interface MagicCompletion {
  matches: string[];
  start: number;
}

/** What an option's placeholder means for completion. */
const PLACEHOLDERS: Record<string, ValueCompletion> = {
  target: { from: ["targets", "files"], ext: [".json"] },
  node: { from: ["nodes"] },
  nodes: { from: ["nodes"], list: true },
  layer: { from: ["layers"] },
  layers: { from: ["layers"], list: true },
  file: { from: ["files", "variables"] },
  source: { from: ["files", "variables"] },
  dir: { from: ["dirs"] },
  var: { from: ["variables"] },
};

const POSITIONAL: ValueCompletion = { from: ["variables", "files"] };
const MAX_FILES = 500;

/** The options every magic takes besides its own. */
const COMMON: MagicOption[] = [
  { flags: "--as <name>", description: "bind the result", complete: {} },
  { flags: "-h, --help", description: "help" },
];

/** How an option's value completes: its declaration, else its choices, else its placeholder. */
export function optionCompletion(o: MagicOption): ValueCompletion {
  if (o.complete) return o.complete;
  if (o.choices) return { values: o.choices };
  if (o.parse) return {};
  return PLACEHOLDERS[placeholderOf(o.flags) ?? ""] ?? {};
}

/** How a positional argument's value completes. */
export function argumentCompletion(a: MagicArgument | undefined): ValueCompletion {
  return a ? (a.complete ?? POSITIONAL) : {};
}

/** Completes the text of a magic line up to the cursor; undefined when it is not a magic line. */
export function completeMagicLine(text: string, env: CompletionEnv): MagicCompletion | undefined {
  const m = /^(\s*)(%%?)([\w-]*)(\s[\s\S]*)?$/.exec(text);
  if (!m) return undefined;
  const [, indent, pct, name, rest] = m;
  if (rest === undefined) {
    const matches = env.names().filter((n) => n.startsWith(name)).sort().map((n) => pct + n);
    return { matches, start: indent.length };
  }
  const spec = env.spec(name);
  const none = { matches: [], start: text.length };
  const parsed = spec ? wordsOf(rest) : undefined;
  if (!spec || !parsed) return none;
  const base = text.length - rest.length;
  const ctx = contextOf(spec, parsed.done);
  if (!ctx) return none;
  const cur = parsed.current, at = base + cur.start;
  const value = (c: ValueCompletion, prefix: string, start: number): MagicCompletion =>
    ({ matches: completeValue(c, prefix, ctx.positional, env), start });
  if (ctx.pending) return value(optionCompletion(ctx.pending), cur.text, at);
  if (cur.text.startsWith("-") && !cur.quoted) {
    const eq = cur.text.indexOf("=");
    const o = eq > 0 ? ctx.byFlag.get(cur.text.slice(0, eq)) : undefined;
    if (o && takesValue(o.flags)) return value(optionCompletion(o), cur.text.slice(eq + 1), at + eq + 1);
    return { matches: flagMatches(spec, ctx.used, cur.text), start: at };
  }
  if (spec.code) return none; // the TypeScript after a code magic's options
  const args = spec.arguments ?? [];
  const last = args[args.length - 1];
  const arg = args[ctx.positional.length] ?? (last?.variadic ? last : undefined);
  if (!arg) return { matches: flagMatches(spec, ctx.used, cur.text), start: at }; // only options are left
  return value(argumentCompletion(arg), cur.text, at);
}

interface Word {
  text: string;
  start: number;
  quoted: boolean;
}

/** Shell-like words of the text after a magic's name, with offsets; undefined inside a `# comment`. */
function wordsOf(s: string): { done: Word[]; current: Word } | undefined {
  const done: Word[] = [];
  let cur: Word | null = null;
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = null;
      else cur!.text += c;
    } else if (/\s/.test(c)) {
      if (cur) done.push(cur);
      cur = null;
    } else if (c === '"' || c === "'") {
      quote = c;
      cur ??= { text: "", start: i + 1, quoted: true };
    } else {
      if (!cur && c === "#") return undefined;
      cur ??= { text: "", start: i, quoted: false };
      cur.text += c;
    }
  }
  return { done, current: cur ?? { text: "", start: s.length, quoted: false } };
}

interface LineContext {
  byFlag: Map<string, MagicOption>;
  used: Set<MagicOption>;
  positional: string[];
  /** The option whose value the cursor is at. */
  pending?: MagicOption;
}

/** Walks the finished words: which options are used, the positional values, an option waiting for its value. */
function contextOf(spec: MagicSpec, done: Word[]): LineContext | undefined {
  const options = [...(spec.options ?? []), ...COMMON];
  const byFlag = new Map(options.flatMap((o) => flagsOf(o.flags).map((f) => [f, o] as const)));
  const ctx: LineContext = { byFlag, used: new Set(), positional: [] };
  for (const w of done) {
    if (ctx.pending) {
      ctx.pending = undefined;
      continue;
    }
    if (w.text.startsWith("-") && !w.quoted) {
      const [flag, inline] = w.text.split("=", 2);
      const o = byFlag.get(flag);
      if (o) ctx.used.add(o);
      if (o && takesValue(o.flags) && inline === undefined) ctx.pending = o;
      continue;
    }
    if (spec.code) return undefined; // TypeScript follows the options
    ctx.positional.push(w.text);
  }
  return ctx;
}

/** Flags starting with `prefix`: long ones (and short ones without a long form), unused ones first. */
function flagMatches(spec: MagicSpec, used: Set<MagicOption>, prefix: string): string[] {
  const out: string[] = [];
  for (const o of [...(spec.options ?? []), ...COMMON]) {
    if (used.has(o)) continue;
    const fs = flagsOf(o.flags), long = fs.filter((f) => f.startsWith("--"));
    for (const f of long.length ? long : fs) if (f.startsWith(prefix)) out.push(f);
  }
  return out;
}

/** Candidates for a value; a list completes its last item. */
function completeValue(c: ValueCompletion, prefix: string, positional: string[], env: CompletionEnv): string[] {
  const k = c.list ? prefix.lastIndexOf(",") : -1;
  const head = prefix.slice(0, k + 1), item = prefix.slice(k + 1);
  const found = new Set<string>((c.values ?? []).filter((v) => v.startsWith(item)));
  const from = c.from ?? [];
  // A target is a name first: files only once the text looks like a path.
  const files = !from.includes("targets") || /^\.|\//.test(item);
  for (const src of from) {
    if ((src === "files" || src === "dirs") && !files) continue;
    for (const v of candidates(src, item, c, positional, env)) if (v.startsWith(item)) found.add(v);
  }
  const taken = new Set(head.split(",")); // a list names each item once
  return [...found].filter((v) => !taken.has(v)).map((v) => head + v);
}

function candidates(
  src: ValueSource, item: string, c: ValueCompletion, positional: string[], env: CompletionEnv,
): string[] {
  switch (src) {
    case "targets":
      return [...targetNames(), ...variablesWhere(env, isTarget)];
    case "files":
    case "dirs":
      return fileMatches(item, env.cwd, src === "dirs", c.ext);
    case "variables":
      return Object.keys(env.variables()).sort();
    case "graphs":
      return variablesWhere(env, isGraph);
    case "programs":
      return variablesWhere(env, isProgram);
    case "results":
      return variablesWhere(env, isResult);
    case "nodes":
      return namesIn(positional, env, nodeNames);
    case "layers":
      return namesIn(positional, env, layerNames);
    case "records":
      return namesIn(positional, env, (v) => (isResult(v) ? Object.keys(v.records ?? {}) : undefined));
  }
}

function variablesWhere(env: CompletionEnv, test: (v: unknown) => boolean): string[] {
  return Object.entries(env.variables()).filter(([, v]) => test(v)).map(([n]) => n).sort();
}

/** Names inside the first positional argument whose variable holds something that has them. */
function namesIn(positional: string[], env: CompletionEnv, names: (v: unknown) => string[] | undefined): string[] {
  const vars = env.variables();
  for (const p of positional) {
    const found = p in vars ? names(vars[p]) : undefined;
    if (found) return found;
  }
  return [];
}

function nodeNames(v: unknown): string[] | undefined {
  if (!isGraph(v)) return undefined;
  try {
    return analyseGraph(v).order;
  } catch {
    return Object.keys(v.nodes); // an invalid graph still has its top-level names
  }
}

function layerNames(v: unknown): string[] | undefined {
  if (isProgram(v)) return v.layers.filter((l) => l.kind !== "input").map((l) => l.name);
  if (isResult(v)) return [...new Set([...Object.keys(v.spikes ?? {}), ...Object.keys(v.records ?? {})])];
  return undefined;
}

interface ProgramLike { format: "phasor-program"; layers: { name: string; kind: string }[] }
interface ResultLike { engine: string; counters: object; spikes?: object; records?: object }

function isProgram(v: unknown): v is ProgramLike {
  const p = v as Partial<ProgramLike> | null;
  return typeof v === "object" && p !== null && p.format === "phasor-program" && Array.isArray(p.layers);
}

function isResult(v: unknown): v is ResultLike {
  const r = v as Partial<ResultLike> | null;
  return typeof v === "object" && r !== null && typeof r.engine === "string" && typeof r.counters === "object";
}

function isTarget(v: unknown): boolean {
  const t = v as { mesh?: unknown; core?: unknown; arithmetic?: unknown } | null;
  return typeof v === "object" && t !== null && [t.mesh, t.core, t.arithmetic].every((x) => typeof x === "object");
}

/** Files and folders (with a trailing /) whose path starts with `item`, relative to `cwd`. */
function fileMatches(item: string, cwd: string, dirsOnly: boolean, ext?: string[]): string[] {
  const slash = item.lastIndexOf("/");
  const dirPart = item.slice(0, slash + 1), base = item.slice(slash + 1);
  const dir = resolve(cwd, dirPart.replace(/^~(?=\/)/, homedir()) || ".");
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    if (!e.name.startsWith(base) || (e.name.startsWith(".") && !base.startsWith("."))) continue;
    const folder = e.isDirectory() || (e.isSymbolicLink() && isFolder(join(dir, e.name)));
    if (folder) out.push(`${dirPart}${e.name}/`);
    else if (!dirsOnly && (!ext || ext.some((x) => e.name.endsWith(x)))) out.push(dirPart + e.name);
  }
  return out.sort().slice(0, MAX_FILES);
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
