/**
 * Exporter conventions. NIR stores continuous-time ODEs, but every framework runs its own
 * discrete update and bakes its time step into what it writes in its own way. A convention
 * rewrites the stored parameters into Phasor's canonical form, the parameters for which
 * forward Euler at dt (the reference simulator's default, the compiler's and the VM's),
 *     v += dt/tau ((v_leak - v) + r I),   i += dt/tau_syn (-i + w_in I),
 * is the framework's own update exactly, and names what else that update needs from the
 * simulator (reset mode, several spikes per step, which synaptic current the membrane sees).
 * An exponential decay e^(-dt/tau) becomes the Euler time constant dt / (1 - e^(-dt/tau)).
 * Each framework's update, with its source, is in docs/conventions.md.
 */
import { IssueList, PhasorError } from "../errors.js";
import type { Graph, GraphNode, Metadata, Node, Tensor } from "../graph.js";
import type { SimOptions } from "../sim/types.js";

/** A framework whose NIR export convention Phasor knows, or `raw` (the ODE as stored). */
export type ConventionName = "raw" | "snntorch" | "norse" | "rockpool" | "sinabs" | "lava";

/** Alias used by the CLI. */
export type Convention = ConventionName;

/** Simulator settings (beyond forward Euler at dt) that a convention's update needs. */
export interface ConventionDynamics {
  reset: "zero" | "subtract";
  spikes: "single" | "multiple";
  current: "previous" | "updated";
}

/** Help text and settings of one convention. */
export interface ConventionInfo {
  name: ConventionName;
  /** One line. */
  summary: string;
  /** The framework's discrete update, as it computes it. */
  update: string;
  /** When dt is needed and what it defaults to. */
  dt: string;
  /** Default reset, spike rule and current ordering. */
  dynamics: ConventionDynamics;
  /** The framework only ever resets this way (so a compile uses it too); false when the file leaves it open. */
  fixedReset: boolean;
}

/** The default convention of every entry point (CLI, magics, API). */
export const DEFAULT_CONVENTION: ConventionName = "raw";

/** snnTorch and lava-dl export with a hard-coded dt of 1e-4 s. */
export const EXPORT_DT_1E4 = 1e-4;

const NORSE_ORDER: ConventionDynamics = { reset: "zero", spikes: "single", current: "previous" };
const FRESH_CURRENT: ConventionDynamics = { reset: "zero", spikes: "single", current: "updated" };
const MULTI_SUBTRACT = (current: ConventionDynamics["current"]): ConventionDynamics =>
  ({ reset: "subtract", spikes: "multiple", current });

/** Every convention, in a stable order. */
export const CONVENTIONS: readonly ConventionInfo[] = [
  {
    name: "raw",
    summary: "parameters as stored (the default); the integrator and reset are yours to choose",
    update: "tau dv/dt = (v_leak - v) + r I, integrated by --integrator (euler: v += dt/tau ((v_leak - v) + r I))",
    dt: "not used",
    dynamics: NORSE_ORDER,
    fixedReset: false,
  },
  {
    name: "snntorch",
    summary: "snnTorch (export dt 1e-4): Euler as stored; another dt rescales time constants",
    update: "Leaky: U = beta U + I; Synaptic: syn = alpha syn + I, U = beta U + syn (this step's syn); spike U > thr",
    dt: "optional, default 1e-4 (snnTorch's export dt)",
    dynamics: FRESH_CURRENT,
    fixedReset: false,
  },
  {
    name: "lava",
    summary: "lava-dl (export dt 1e-4): CUBA as stored, like snntorch",
    update: "u = (1 - du) u + x; v = (1 - dv) v + u (this step's u); spike v > vth, v = 0",
    dt: "optional, default 1e-4 (lava-dl's export dt)",
    dynamics: FRESH_CURRENT,
    fixedReset: true,
  },
  {
    name: "norse",
    summary: "Norse: LIF/LI/IF as stored; CubaLIF w_in <- w_in tau_syn/dt",
    update: "v += dt/tau ((v_leak - v) + r I), spike v > v_th, v = v_reset; " +
      "LIFCell: v uses i of the previous step, i = (1 - dt/tau_syn) i + I",
    dt: "needed for CubaLIF/CubaLI",
    dynamics: NORSE_ORDER,
    fixedReset: true,
  },
  {
    name: "sinabs",
    summary: "Sinabs (time constants in steps): exponential decays, multiple spikes, subtractive reset",
    update: "LIF/ExpLeak: v = e^(-1/tau) v + x (tau in steps, norm_input off as from_nir builds it); IAF: v = v + x; " +
      "n = trunc(v/thr) spikes if v >= thr, v -= n thr",
    dt: "needed (the seconds one Sinabs step stands for)",
    dynamics: MULTI_SUBTRACT("previous"),
    fixedReset: true,
  },
  {
    name: "rockpool",
    summary: "Rockpool (r = tau e^(-dt/tau)/dt): exponential decays, multiple spikes, subtractive reset",
    update: "LIFNeuronTorch: v = e^(-dt/tau) v + x + b; " +
      "LIFTorch: i = e^(-dt/tau_syn) (i + x), v = e^(-dt/tau_mem) v + i + b; " +
      "n = floor(v/thr) spikes if v >= thr, v -= n thr; ExpSynTorch: i = e^(-dt/tau) (i + x)",
    dt: "needed (Rockpool's module dt; the NIR paper's files use 1e-4)",
    dynamics: MULTI_SUBTRACT("updated"),
    fixedReset: true,
  },
];

/** Convention names, for CLI choices. */
export const conventionNames: readonly ConventionName[] = CONVENTIONS.map((c) => c.name);

/** Looks up a convention; an unknown name is an error listing the known ones. */
export function conventionInfo(name: string): ConventionInfo {
  const found = CONVENTIONS.find((c) => c.name === name);
  if (!found) {
    const known = conventionNames.join(", ");
    throw new PhasorError(`unknown NIR convention "${name}"; known: ${known}`, "unknown-convention");
  }
  return found;
}

// ---- Tensor arithmetic -------------------------------------------------------------------

/** Elementwise f over tensors of 1 or n elements, in the shape of the largest, as float64. */
function map(ts: Tensor[], f: (...x: number[]) => number): Tensor {
  const big = ts.reduce((a, b) => (b.data.length > a.data.length ? b : a));
  const n = big.data.length;
  for (const t of ts)
    if (t.data.length !== n && t.data.length !== 1)
      throw new PhasorError(`cannot combine parameters of shapes [${big.shape}] and [${t.shape}]`, "shape-mismatch");
  const data = new Float64Array(n);
  const xs = new Array<number>(ts.length);
  for (let k = 0; k < n; k++) {
    for (let q = 0; q < ts.length; q++) xs[q] = ts[q].data.length === 1 ? ts[q].data[0] : ts[q].data[k];
    data[k] = f(...xs);
  }
  return { shape: [...big.shape], data };
}

/** e^(-dt/tau), the per-step decay of an exponential framework. */
const expDecay = (dt: number, tau: number): number => Math.exp(-dt / tau);
/** 1 - e^(-dt/tau), without cancellation for small dt/tau. */
const expGain = (dt: number, tau: number): number => -Math.expm1(-dt / tau);

// ---- Rules: one rewrite per (convention, node type) --------------------------------------

/** What a rule may use: the dt, and notes for the user. */
interface RuleContext { dt: number; note(message: string): void }
type Rule = (node: Node, name: string, c: RuleContext) => Node;
interface ConventionRule {
  /** Node types that need dt; others pass without one. */
  needsDt: readonly string[];
  defaultDt?: number;
  rewrite: Rule;
}

const identity: Rule = (node) => node;

/** Scales time constants by dt/exportDt so the per-step decays stay those the framework used at exportDt. */
function rescaleTime(exportDt: number): Rule {
  return (n, _name, c) => {
    if (c.dt === exportDt) return n;
    const k = (x: number): number => (x * c.dt) / exportDt;
    if (n.type === "LIF" || n.type === "LI") return { ...n, tau: map([n.tau], k) };
    if (n.type === "CubaLIF" || n.type === "CubaLI") {
      return { ...n, tau_mem: map([n.tau_mem], k), tau_syn: map([n.tau_syn], k) };
    }
    return n;
  };
}

/** Norse's LIFCell adds its input to i with unit gain after the decay: w_in <- w_in tau_syn / dt. */
const norseRule: Rule = (n, _name, c) => {
  if (n.type !== "CubaLIF" && n.type !== "CubaLI") return n;
  return { ...n, w_in: map([n.w_in, n.tau_syn], (w, ts) => (w * ts) / c.dt) };
};

/**
 * Rockpool at dt. Its exporter writes r = tau e^(-dt/tau)/dt; g = r dt / (tau e^(-dt/tau)) is 1 for its
 * own files and is kept as an input gain otherwise. v_leak is read as Rockpool's per-step bias.
 */
const rockpoolRule: Rule = (n, name, c) => {
  const { dt } = c;
  const gain = (r: number, tau: number): number => (r * dt) / (tau * expDecay(dt, tau));
  const checkR = (r: Tensor, tau: Tensor): void => {
    const g = map([r, tau], gain).data;
    if (g.every((x) => Math.abs(x - 1) <= 1e-5)) return;
    c.note(`${name}: r is ${fmt(g[0])} times what Rockpool writes at dt ${dt} s (kept as an input gain); ` +
      "was it exported at another dt?");
  };
  if (n.type === "LIF") {
    checkR(n.r, n.tau);
    return {
      ...n, tau: map([n.tau], (tau) => dt / expGain(dt, tau)),
      r: map([n.r, n.tau], (r, tau) => gain(r, tau) / expGain(dt, tau)),
      v_leak: map([n.v_leak, n.tau], (b, tau) => b / expGain(dt, tau)),
    };
  }
  if (n.type === "LI") {
    checkR(n.r, n.tau);
    const r = map([n.r, n.tau], (ri, tau) => (gain(ri, tau) * expDecay(dt, tau)) / expGain(dt, tau));
    return { ...n, tau: map([n.tau], (tau) => dt / expGain(dt, tau)), r };
  }
  if (n.type === "CubaLIF" || n.type === "CubaLI") {
    checkR(n.r, n.tau_mem);
    return {
      ...n,
      tau_mem: map([n.tau_mem], (tm) => dt / expGain(dt, tm)),
      tau_syn: map([n.tau_syn], (ts) => dt / expGain(dt, ts)),
      r: map([n.r, n.tau_mem], (r, tm) => gain(r, tm) / expGain(dt, tm)),
      w_in: map([n.w_in, n.tau_syn], (w, ts) => (w * expDecay(dt, ts)) / expGain(dt, ts)),
      v_leak: map([n.v_leak, n.tau_mem], (b, tm) => b / expGain(dt, tm)),
    };
  }
  return keptAsStored(n, name, "Rockpool", c);
};

/** Sinabs: time constants in steps (one step = dt seconds), inputs added with unit gain. */
const sinabsRule: Rule = (n, name, c) => {
  const { dt } = c;
  const stepGain = (tau: number): number => expGain(1, tau);
  const checkTau = (tau: Tensor): void => {
    if (Array.from(tau.data).some((x) => x < 1))
      c.note(`${name}: tau ${fmt(tau.data[0])} is in Sinabs' unit of time steps ` +
        "(below one step v nearly empties each step); was the file written by Sinabs?");
  };
  if (n.type === "LIF" || n.type === "LI") {
    checkTau(n.tau);
    const r = map([n.r, n.tau], (ri, tau) => ri / stepGain(tau));
    return { ...n, tau: map([n.tau], (tau) => dt / stepGain(tau)), r };
  }
  if (n.type === "IF" || n.type === "I") return { ...n, r: map([n.r], (r) => r / dt) };
  return keptAsStored(n, name, "Sinabs", c);
};

const NEURON_TYPES: readonly string[] = ["I", "IF", "LI", "LIF", "CubaLI", "CubaLIF", "MultiCubaLIF"];

/** A neuron type the framework never exports is left as stored, with a note; other nodes silently. */
function keptAsStored(n: Node, name: string, framework: string, c: RuleContext): Node {
  if (NEURON_TYPES.includes(n.type)) c.note(`${name}: ${framework} does not export ${n.type}; kept as stored`);
  return n;
}

const EXPONENTIAL_TYPES = ["LIF", "LI", "CubaLIF", "CubaLI"] as const;
const RULES: Record<ConventionName, ConventionRule> = {
  raw: { needsDt: [], rewrite: identity },
  norse: { needsDt: ["CubaLIF", "CubaLI"], rewrite: norseRule },
  snntorch: { needsDt: [], defaultDt: EXPORT_DT_1E4, rewrite: rescaleTime(EXPORT_DT_1E4) },
  lava: { needsDt: [], defaultDt: EXPORT_DT_1E4, rewrite: rescaleTime(EXPORT_DT_1E4) },
  rockpool: { needsDt: EXPONENTIAL_TYPES, rewrite: rockpoolRule },
  sinabs: { needsDt: ["LIF", "LI", "IF", "I"], rewrite: sinabsRule },
};

const fmt = (x: number): string => String(Number(x.toPrecision(6)));

/** Names of nodes (with nested paths) whose type is in `types`. */
function nodesOfTypes(g: GraphNode, types: readonly string[], prefix = ""): string[] {
  const found: string[] = [];
  for (const [name, node] of Object.entries(g.nodes)) {
    if (types.includes(node.type)) found.push(prefix + name);
    if (node.type === "NIRGraph") found.push(...nodesOfTypes(node, types, `${prefix}${name}.`));
  }
  return found;
}

function rewriteGraph(g: GraphNode, rule: Rule, c: RuleContext, issues: IssueList, path: string[]): GraphNode {
  const nodes: Record<string, Node> = {};
  for (const [name, node] of Object.entries(g.nodes)) {
    const here = [...path, name];
    try {
      nodes[name] = node.type === "NIRGraph"
        ? rewriteGraph(node, rule, c, issues, here)
        : rule(node, here.join("."), c);
    } catch (e) {
      if (!(e instanceof PhasorError)) throw e;
      for (const i of e.issues) issues.add(i.code, [...here, ...i.path], i.message);
      nodes[name] = node;
    }
  }
  return { ...g, nodes };
}

// ---- The record a converted graph carries ------------------------------------------------

/** What was applied: the convention, its dt and the simulator settings it needs. */
export interface ConventionRecord extends ConventionDynamics {
  name: ConventionName;
  /** The dt the parameters are canonical for (undefined: not tied to one). */
  dt?: number;
}

/** Root-metadata key under which a converted graph keeps its ConventionRecord. */
export const CONVENTION_METADATA_KEY = "phasor_convention";

/** Result of applying a convention: the canonical graph, the record, and notes for the user. */
export interface ConventionResult {
  graph: GraphNode;
  record: ConventionRecord;
  /** The dt the parameters are now canonical for (undefined for raw, or when no node needed one). */
  dt?: number;
  notes: string[];
}

/**
 * Converts stored parameters to Phasor's canonical form. Errors (never guesses) when dt is needed
 * but missing, or when the graph already carries a conversion. A converted graph keeps its
 * ConventionRecord in its root metadata so that every entry point simulates it alike.
 */
export function applyConvention(graph: GraphNode, name: ConventionName, dt?: number): ConventionResult {
  const info = conventionInfo(name);
  const rule = RULES[name];
  if (dt !== undefined && !(dt > 0 && Number.isFinite(dt))) {
    const message = `dt must be a positive number of seconds, got ${dt}`;
    throw new PhasorError([{ code: "bad-dt", path: ["dt"], message }]);
  }
  const earlier = storedRecord(graph);
  if (name === "raw") return { graph, record: earlier ?? { name, dt, ...info.dynamics }, dt: earlier?.dt, notes: [] };
  if (earlier) {
    throw new PhasorError([{ code: "converted-twice", path: ["metadata", CONVENTION_METADATA_KEY], message:
      `the graph was already converted from ${earlier.name} by Phasor (its parameters are canonical); ` +
      "read it with convention raw" }]);
  }
  const needing = nodesOfTypes(graph, rule.needsDt);
  const effectiveDt = dt ?? rule.defaultDt;
  if (effectiveDt === undefined && needing.length) {
    throw new PhasorError([{ code: "missing-dt", path: ["dt"], message:
      `convention ${name} needs dt (the time step the model was exported with) to convert ${needing.join(", ")}; ` +
      "pass --dt / { dt } (the NIR paper's files use 1e-4)" }]);
  }
  const notes: string[] = [];
  const issues = new IssueList();
  const context: RuleContext = { dt: effectiveDt ?? NaN, note: (m) => notes.push(m) };
  const out = effectiveDt === undefined ? graph : rewriteGraph(graph, rule.rewrite, context, issues, []);
  issues.throwIfAny();
  const record: ConventionRecord = { name, dt: effectiveDt, ...info.dynamics };
  const metadata: Metadata = { ...(graph.metadata ?? {}), [CONVENTION_METADATA_KEY]: recordToMetadata(record) };
  return { graph: { ...out, metadata }, record, dt: effectiveDt, notes };
}

function recordToMetadata(r: ConventionRecord): Metadata {
  const m: Metadata = { name: r.name, reset: r.reset, spikes: r.spikes, current: r.current };
  if (r.dt !== undefined) m.dt = r.dt;
  return m;
}

/** The record a graph carries in its metadata, if any (malformed entries are ignored). */
function storedRecord(g: Graph): ConventionRecord | undefined {
  const m = g.metadata?.[CONVENTION_METADATA_KEY];
  if (typeof m !== "object" || m === null || Array.isArray(m) || ArrayBuffer.isView(m)) return undefined;
  const s = m as Metadata;
  const pick = <T extends string>(v: unknown, allowed: readonly T[]): T | undefined =>
    allowed.includes(v as T) ? (v as T) : undefined;
  const name = pick(s.name, conventionNames);
  const reset = pick(s.reset, ["zero", "subtract"] as const);
  const spikes = pick(s.spikes, ["single", "multiple"] as const);
  const current = pick(s.current, ["previous", "updated"] as const);
  if (!name || !reset || !spikes || !current) return undefined;
  const raw = s.dt as unknown;
  const first = Array.isArray(raw) || ArrayBuffer.isView(raw) ? (raw as ArrayLike<unknown>)[0] : raw;
  const dt = typeof first === "number" ? first : undefined;
  return { name, dt, reset, spikes, current };
}

/** The convention a graph was converted with (from its metadata); raw's, without a dt, when none. */
export function conventionOf(g: Graph): ConventionRecord {
  return storedRecord(g) ?? { name: "raw", ...conventionInfo("raw").dynamics };
}

/** How results name it: "convention: rockpool (dt 0.0001 s; reset subtract, spikes multiple, current updated)". */
export function conventionLine(r: ConventionRecord): string {
  const dt = r.dt === undefined ? "no dt" : `dt ${r.dt} s`;
  const d = r.name === "raw" ? "" : `; reset ${r.reset}, spikes ${r.spikes}, current ${r.current}`;
  return `convention: ${r.name} (${dt}${d})`;
}

/** The record as results report it in JSON: { name, dt, reset, spikes, current }, dt null when none. */
export function conventionJson(r: ConventionRecord): { name: ConventionName; dt: number | null } & ConventionDynamics {
  return { name: r.name, dt: r.dt ?? null, reset: r.reset, spikes: r.spikes, current: r.current };
}

/**
 * The reset a compile uses: an explicit one, else the convention's where its framework only resets that way
 * (rockpool, sinabs, norse, lava), else undefined: the compiler's default, the target's first mode.
 */
export function compileReset(r: ConventionRecord, explicit?: "zero" | "subtract"): "zero" | "subtract" | undefined {
  return explicit ?? (conventionInfo(r.name).fixedReset ? r.reset : undefined);
}

/** A note when a compile's reset differs from the convention's simulated one (undefined when they agree). */
export function compileResetNote(r: ConventionRecord, used: "zero" | "subtract", target: string): string | undefined {
  if (used === r.reset) return undefined;
  return `compiled with reset ${used} (${target}'s); convention ${r.name} simulates with reset ${r.reset}`;
}

/** The SimOptions a convention decides. */
export type ConventionSimOptions = Required<Pick<SimOptions, "integrator" | "reset" | "spikes" | "current">>;

/** Explicit simulator choices of an entry point; undefined means "the convention's". */
export interface SimulationChoices { dt: number; integrator?: "euler" | "exact"; reset?: "zero" | "subtract" }

/**
 * The simulator settings for a graph with record `r`: the convention's dynamics, with an explicit reset
 * taking precedence. A converted graph runs with forward Euler at the dt it was converted for; asking
 * for another integrator or dt is an error naming why.
 */
export function simulationOptions(r: ConventionRecord, c: SimulationChoices): ConventionSimOptions {
  if (r.name !== "raw" && c.integrator === "exact") {
    throw new PhasorError([{ code: "bad-option", path: ["integrator"], message:
      `convention ${r.name} gives the parameters for which forward Euler reproduces ${r.name}'s own update; ` +
      `--integrator exact would integrate something else (use convention raw to integrate the stored ODE exactly)` }]);
  }
  if (r.name !== "raw" && r.dt !== undefined && Math.abs(c.dt - r.dt) > 1e-12 * r.dt) {
    throw new PhasorError([{ code: "bad-option", path: ["dt"], message:
      `the graph was converted from ${r.name} for dt ${r.dt} s; ` +
      `simulate at that dt, or read the file again with --dt ${c.dt}` }]);
  }
  return { integrator: c.integrator ?? "euler", reset: c.reset ?? r.reset, spikes: r.spikes, current: r.current };
}
