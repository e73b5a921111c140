/**
 * Exporter conventions. NIR parameters are continuous-time ODEs, but each framework bakes
 * its time step into them differently when it exports. A convention rewrites the stored
 * parameters into Phasor's canonical form: the parameters for which the reference
 * simulator's forward-Euler step at `dt`,
 *     v += dt/tau * ((v_leak - v) + r*I)      (and i += dt/tau_syn * (-i + w_in*S)),
 * reproduces the framework's own discrete update (per-step input gains exactly; the decay
 * exactly for Euler-based frameworks, to first order in dt/tau for exponential ones).
 * Findings come from each framework's NIR exporter; see the docs below for the sources.
 */
import { IssueList, PhasorError } from "../errors.js";
import type { GraphNode, Node, Tensor } from "../graph.js";

/** A framework whose NIR export convention Phasor knows, or `raw` (take parameters as stored). */
export type ConventionName = "raw" | "snntorch" | "norse" | "rockpool" | "sinabs" | "lava";

/** Alias used by the CLI. */
export type Convention = ConventionName;

/** Help text for one convention (for CLI help and magics). */
export interface ConventionInfo {
  name: ConventionName;
  /** One line. */
  summary: string;
  /** What is converted, why, and where the finding comes from. */
  doc: string;
  /** When dt is required: never, only for some node types, or a default exists. */
  dt: string;
}

/** The default: parameters are taken as stored in the file, with no dt conversion. */
export const DEFAULT_CONVENTION: ConventionName = "raw";

/** snnTorch and lava-dl export with a hard-coded dt of 1e-4 s. */
export const EXPORT_DT_1E4 = 1e-4;

/** Every convention with its documentation, in a stable order. */
export const CONVENTIONS: readonly ConventionInfo[] = [
  {
    name: "raw",
    summary: "take parameters as stored (default); no dt conversion",
    doc: "The file's tau, r, w_in are used as written. Right for files whose exporter already writes canonical NIR (e.g. Norse LIF/LI/IF, Phasor's own files).",
    dt: "not used",
  },
  {
    name: "snntorch",
    summary: "snnTorch: tau = dt/(1-beta), r = tau/dt, w_in = tau_syn/dt at dt = 1e-4",
    doc: "snntorch/export_nir.py hard-codes dt = 1e-4 and stores r = tau/dt, w_in = tau_syn/dt, so Euler at dt = 1e-4 already reproduces beta*U + I. At another dt, tau, tau_mem and tau_syn are scaled by dt/1e-4 so the per-step decays (beta, alpha) and unit input gains are kept; r and w_in are unchanged.",
    dt: "optional, default 1e-4 (snnTorch's export dt)",
  },
  {
    name: "lava",
    summary: "lava-dl: tau = dt/decay, r = tau_mem/dt, w_in = tau_syn/dt at dt = 1e-4",
    doc: "lava-dl's NIR export (NIR docs/examples/lava/lava_to_nir.py) uses dt = 1e-4 and the same unit-gain scaling as snnTorch for its CUBA neurons (u = (1-du)u + x; v = (1-dv)v + u); handled like snntorch. Lava's fixed-point quantisation of decays is not modelled.",
    dt: "optional, default 1e-4 (lava-dl's export dt)",
  },
  {
    name: "norse",
    summary: "Norse: r = 1 (identity for LIF/LI/IF); CubaLIF w_in <- w_in*tau_syn/dt",
    doc: "norse/torch/utils/export_nir.py writes r = 1 and tau = 1/tau_inv; LIFBoxCell is v += dt/tau*((v_leak - v) + I), which Euler reproduces as stored. Norse's LIFCell (exported as CubaLIF, w_in = 1) adds the input to the synaptic current with unit gain per step (i += x), so w_in becomes tau_syn/dt.",
    dt: "required only for CubaLIF/CubaLI nodes",
  },
  {
    name: "sinabs",
    summary: "Sinabs: r = 1; IF r <- r/dt (IAF adds its input once per step)",
    doc: "sinabs/nir.py exports IAF as IF with r = 1, but IAF is v += x per step (norm_input=False), so r becomes 1/dt. LIF/LI are exported with r = 1 and Sinabs' default norm_input=True (v = alpha*v + (1-alpha)*x), which Euler reproduces as stored. Sinabs' subtractive reset and min_v_mem are simulator options, not parameters.",
    dt: "required for IF/I nodes",
  },
  {
    name: "rockpool",
    summary: "Rockpool: r = tau*exp(-dt/tau)/dt; LIF r <- tau/dt, CubaLIF w_in <- tau_syn*exp(-dt/tau_syn)/dt",
    doc: "rockpool/nn/modules/torch/nir.py stores r = tau*exp(-dt/tau)/dt. LIFNeuronTorch decays then adds its input with unit gain (v = alpha*v + x), so LIF r becomes r*exp(dt/tau) = tau/dt. LIFTorch (CubaLIF, w_in left at 1) is i = beta*(i + x); v = alpha*v + i, so r becomes tau_mem/dt and w_in becomes w_in*tau_syn*exp(-dt/tau_syn)/dt. ExpSynTorch (LI) is i = beta*(i + x), which the stored r already gives. Rockpool's multiple spikes per step are not modelled.",
    dt: "required (Rockpool's module dt at export; the NIR paper's files use 1e-4)",
  },
];

/** Convention names, for CLI choices. */
export const conventionNames: readonly ConventionName[] = CONVENTIONS.map((c) => c.name);

/** Looks up a convention; an unknown name is an error listing the known ones. */
export function conventionInfo(name: string): ConventionInfo {
  const found = CONVENTIONS.find((c) => c.name === name);
  if (!found) {
    throw new PhasorError(`unknown NIR convention "${name}"; known: ${CONVENTIONS.map((c) => c.name).join(", ")}`, "unknown-convention");
  }
  return found;
}

type Rule = (node: Node, dt: number) => Node;
/** Per convention: node types that need dt, the default dt, and the rewrite. */
interface ConventionRule { needsDt: readonly string[]; defaultDt?: number; rewrite: Rule }

const identity: Rule = (node) => node;

const RULES: Record<ConventionName, ConventionRule> = {
  raw: { needsDt: [], rewrite: identity },
  snntorch: { needsDt: [], defaultDt: EXPORT_DT_1E4, rewrite: rescaleTime(EXPORT_DT_1E4) },
  lava: { needsDt: [], defaultDt: EXPORT_DT_1E4, rewrite: rescaleTime(EXPORT_DT_1E4) },
  norse: {
    needsDt: ["CubaLIF", "CubaLI"],
    rewrite: (n, dt) =>
      n.type === "CubaLIF" || n.type === "CubaLI" ? { ...n, w_in: combine(n.w_in, n.tau_syn, (w, ts) => (w * ts) / dt) } : n,
  },
  sinabs: {
    needsDt: ["IF", "I"],
    rewrite: (n, dt) => (n.type === "IF" || n.type === "I" ? { ...n, r: combine(n.r, n.r, (r) => r / dt) } : n),
  },
  rockpool: {
    needsDt: ["LIF", "CubaLIF"],
    rewrite: (n, dt) => {
      if (n.type === "LIF") return { ...n, r: combine(n.r, n.tau, (r, tau) => r * Math.exp(dt / tau)) };
      if (n.type !== "CubaLIF") return n;
      return {
        ...n,
        r: combine(n.r, n.tau_mem, (r, tm) => r * Math.exp(dt / tm)),
        w_in: combine(n.w_in, n.tau_syn, (w, ts) => (w * ts * Math.exp(-dt / ts)) / dt),
      };
    },
  },
};

/** Scales time constants by dt/exportDt so that per-step decays stay what the framework trained. */
function rescaleTime(exportDt: number): Rule {
  return (n, dt) => {
    if (dt === exportDt) return n;
    const k = (x: number): number => (x * dt) / exportDt;
    if (n.type === "LIF" || n.type === "LI") return { ...n, tau: combine(n.tau, n.tau, k) };
    if (n.type === "CubaLIF" || n.type === "CubaLI") {
      return { ...n, tau_mem: combine(n.tau_mem, n.tau_mem, k), tau_syn: combine(n.tau_syn, n.tau_syn, k) };
    }
    return n;
  };
}

/** Elementwise f(a, b) in the dtype and shape of `a`; b may be a one-element tensor. */
function combine(a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
  if (b.data.length !== a.data.length && b.data.length !== 1) {
    throw new PhasorError(`cannot combine parameters of shapes [${a.shape.join(", ")}] and [${b.shape.join(", ")}]`, "shape-mismatch");
  }
  const out = a.data instanceof Float32Array ? new Float32Array(a.data.length) : new Float64Array(a.data.length);
  const step = b.data.length === 1 ? 0 : 1;
  for (let i = 0; i < out.length; i++) out[i] = f(a.data[i], b.data[i * step]);
  return { shape: [...a.shape], data: out };
}

/** Names of nodes (with nested paths) whose type is in `types`. */
function nodesOfTypes(g: GraphNode, types: readonly string[], prefix = ""): string[] {
  const found: string[] = [];
  for (const [name, node] of Object.entries(g.nodes)) {
    if (types.includes(node.type)) found.push(prefix + name);
    if (node.type === "NIRGraph") found.push(...nodesOfTypes(node, types, `${prefix}${name}.`));
  }
  return found;
}

function rewriteGraph(g: GraphNode, rule: Rule, dt: number, issues: IssueList, path: string[]): GraphNode {
  const nodes: Record<string, Node> = {};
  for (const [name, node] of Object.entries(g.nodes)) {
    try {
      nodes[name] = node.type === "NIRGraph" ? rewriteGraph(node, rule, dt, issues, [...path, name]) : rule(node, dt);
    } catch (e) {
      if (!(e instanceof PhasorError)) throw e;
      for (const i of e.issues) issues.add(i.code, [...path, name, ...i.path], i.message);
      nodes[name] = node;
    }
  }
  return { ...g, nodes };
}

/** Result of applying a convention: the canonical graph and what was done, for the user. */
export interface ConventionResult {
  graph: GraphNode;
  /** The dt the parameters are now canonical for (undefined for raw). */
  dt?: number;
  note: string;
}

/** Converts stored parameters to Phasor's canonical form; errors (never guesses) when dt is needed but missing. */
export function applyConvention(graph: GraphNode, name: ConventionName, dt?: number): ConventionResult {
  const info = conventionInfo(name);
  const rule = RULES[name];
  if (dt !== undefined && !(dt > 0 && Number.isFinite(dt))) {
    throw new PhasorError([{ code: "bad-dt", path: ["dt"], message: `dt must be a positive number of seconds, got ${dt}` }]);
  }
  if (name === "raw") {
    return { graph, dt, note: "convention raw: parameters taken as stored in the file (no dt conversion); pass { convention, dt } to convert an exporter's baked-in dt" };
  }
  const needing = nodesOfTypes(graph, rule.needsDt);
  const effectiveDt = dt ?? rule.defaultDt;
  if (effectiveDt === undefined) {
    if (needing.length) {
      throw new PhasorError([{
        code: "missing-dt",
        path: ["dt"],
        message: `convention ${name} needs dt (the time step the model was exported with) to convert ${needing.join(", ")}; pass { dt } (the NIR paper's files use 1e-4)`,
      }]);
    }
    return { graph, note: `convention ${name}: no node needed conversion` };
  }
  const issues = new IssueList();
  const out = rewriteGraph(graph, rule.rewrite, effectiveDt, issues, []);
  issues.throwIfAny();
  const source = dt === undefined ? `default dt ${effectiveDt} s (${info.dt})` : `dt ${effectiveDt} s`;
  return { graph: out, dt: effectiveDt, note: `convention ${name} at ${source}: ${info.summary}; simulate with this dt` };
}
