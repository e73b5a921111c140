/**
 * How `traces` groups recorded columns: `NODE.VAR[k]` names parsed into node, variable and
 * neuron; one panel per node and variable (membrane first); `NODE.spike[k]` columns kept aside
 * as spike times for the membrane panel; thresholds and resets looked up per neuron.
 */

/** A level per node (or per column): one value, or one value per neuron of the node. */
export type Levels = number | { readonly [nodeOrColumn: string]: number | ArrayLike<number> };

/** One recorded column, parsed. Columns not named `NODE.VAR[k]` form one panel with node "". */
export interface Column {
  name: string;
  node: string;
  variable: string;
  /** Neuron index within the node. */
  index: number;
  /** Position among the node's drawn neurons (0 = first); decides what is visible at first. */
  rank: number;
}

/** One panel: a node's variable, one column per neuron. */
export interface Panel {
  node: string;
  variable: string;
  /** What the variable is, in words ("membrane v"). */
  label: string;
  /** A membrane panel: threshold, reset and spikes are drawn on it. */
  membrane: boolean;
  columns: Column[];
}

const COLUMN = /^(.+)\.([A-Za-z_]\w*)(?:\[(\d+)\])?$/;

/** Parses column names; the ones that are not `NODE.VAR[k]` are numbered in order as neurons of node "". */
export function columnsOf(names: readonly string[]): Column[] {
  let loose = 0;
  return names.map((name) => {
    const m = COLUMN.exec(name);
    if (!m) return { name, node: "", variable: "", index: loose++, rank: 0 };
    return { name, node: m[1], variable: m[2], index: m[3] === undefined ? 0 : Number(m[3]), rank: 0 };
  });
}

/** How `traces` lays out its columns. */
export interface PanelPlan {
  panels: Panel[];
  /** Spike column by neuron key. */
  spikes: Map<string, string>;
  /** Neurons left out past maxNeurons. */
  dropped: number;
}

/** Panels in order of first appearance (a node's membrane first), spike columns by neuron, neurons left out. */
export function panelsOf(columns: readonly Column[], maxNeurons: number): PanelPlan {
  const spikes = new Map<string, string>();
  const ranks = new Map<string, Map<number, number>>();
  const panels = new Map<string, Panel>();
  const droppedNeurons = new Set<string>();
  for (const c of columns) {
    if (c.variable === "spike") {
      spikes.set(neuronKey(c), c.name);
      continue;
    }
    const byNode = ranks.get(c.node) ?? new Map<number, number>();
    ranks.set(c.node, byNode);
    if (!byNode.has(c.index)) byNode.set(c.index, byNode.size);
    const rank = byNode.get(c.index)!;
    if (rank >= maxNeurons) {
      droppedNeurons.add(neuronKey(c));
      continue;
    }
    const key = `${c.node}\u0000${c.variable}`;
    const panel = panels.get(key) ?? newPanel(c.node, c.variable);
    panels.set(key, panel);
    panel.columns.push({ ...c, rank });
  }
  const ordered = [...panels.values()];
  const nodes = [...new Set(ordered.map((p) => p.node))];
  ordered.sort((a, b) => nodes.indexOf(a.node) - nodes.indexOf(b.node) || Number(b.membrane) - Number(a.membrane));
  return { panels: ordered, spikes, dropped: droppedNeurons.size };
}

/** The key that ties a neuron's lines, spikes and levels together across panels. */
export function neuronKey(c: Pick<Column, "node" | "index">): string {
  return `${c.node}[${c.index}]`;
}

/** A neuron's threshold (or reset) in `levels`: by column name, else by node (one value, or the neuron's). */
export function levelOf(levels: Levels | undefined, c: Column): number | undefined {
  if (levels === undefined) return undefined;
  const v = typeof levels === "number" ? levels : pick(levels[c.name], 0) ?? pick(levels[c.node], c.index);
  return v !== undefined && Number.isFinite(v) ? v : undefined;
}

function pick(v: number | ArrayLike<number> | undefined, index: number): number | undefined {
  if (v === undefined || typeof v === "number") return v;
  return v.length === 1 ? v[0] : v[index];
}

function newPanel(node: string, variable: string): Panel {
  const membrane = variable === "v" || node === "";
  const label = LABELS[variable] ?? (/^i\d+$/.test(variable) ? `current ${variable}` : variable || "state");
  return { node, variable, label, membrane, columns: [] };
}

const LABELS: Record<string, string> = { v: "membrane v", i: "synaptic current i", u: "current u", out: "output" };
