/** %compile GRAPH --target NAME: compiles a Graph (a cell variable or a .nir file) and shows the resource report as tables plus a core-utilisation heatmap on the mesh. */
import { resolve } from "node:path";
import { PhasorError } from "../../lib/ir/errors.js";
import {
  compileReset, compileResetNote, conventionLine, conventionNames, conventionOf, DEFAULT_CONVENTION, type Convention,
} from "../../lib/ir/nir/index.js";
import { compile, type Program, type ResourceReport } from "../../lib/compiler/index.js";
import { meshUtilisation, type MeshMetric } from "../../lib/plot/mesh.js";
import { resolveTarget } from "../../lib/target/registry.js";
import type { Target } from "../../lib/target/types.js";
import { defineMagic, type MagicContext } from "./types.js";
import { graphOf } from "./values.js";
import { fileOnly } from "./nir.js";

const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;

function targetOf(spec: string | Target, ctx: MagicContext): Target {
  return typeof spec === "string" && spec.endsWith(".json") ? resolveTarget(resolve(ctx.cwd, spec)) : resolveTarget(spec);
}

/** Spike counts per layer from a cell variable: `{ layer: number[] }`. */
function countsOf(name: string | undefined, ctx: MagicContext): Record<string, ArrayLike<number>> | undefined {
  if (!name) return undefined;
  const v = ctx.getVariable(name);
  const ok = typeof v === "object" && v !== null && Object.values(v).every((x) => typeof x === "object" && x !== null && typeof (x as { length?: unknown }).length === "number");
  if (!ok) throw new PhasorError(`%compile --counts: "${name}" must hold spike counts per layer, { layer: number[] }`, "usage");
  return v as Record<string, ArrayLike<number>>;
}

/** Shows a report: summary, layers, cores, host split, caveats, then the mesh heatmap. */
export function showReport(r: ResourceReport, ctx: MagicContext, metric: MeshMetric, plot: boolean): void {
  ctx.print(`${r.target}: ${r.coresUsed} of ${r.coresTotal} cores; routing ${r.routing.entries} ${r.routing.entries === 1 ? "entry" : "entries"} (at most ${r.routing.maxPerRouter} per router, limit ${r.routing.limit}); traffic (${r.traffic.source}): ${r.traffic.spikes} spikes, ${r.traffic.packets} packets, ${r.traffic.spikeHops} spike-hops\n`);
  ctx.display.table(r.layers.map((l) => ({ layer: l.name, model: l.model, partition: l.partition, neurons: l.neurons, cores: l.cores, synapses: l.synapses, "weight err": l.weightError === null ? "-" : l.weightError.toExponential(2), "decay err": l.decayError === null ? "-" : l.decayError.toExponential(2) })));
  if (r.cores.length) ctx.display.table(r.cores.map((c) => ({ core: c.core, "x,y": `${c.x},${c.y}`, layer: c.layer, neurons: `${c.neurons} (${pct(c.utilisation.neurons)})`, synapses: `${c.synapses} (${pct(c.utilisation.synapses)})`, "fan-in": `${c.fanIn} (${pct(c.utilisation.fanIn)})`, "fan-out": `${c.fanOut} (${pct(c.utilisation.fanOut)})`, routes: c.routingEntries })), { maxRows: 200 });
  if (r.host.layers.length) {
    ctx.print(`host partition: ${r.host.layers.join(", ")}; spikes crossing per run: ${r.host.spikes.toHost} chip->host, ${r.host.spikes.toChip} host->chip\n`);
    if (r.host.channels.length) ctx.display.table(r.host.channels.map((c) => ({ channel: c.projection, direction: c.direction, synapses: c.synapses, spikes: c.spikes })));
  }
  if (r.unverifiedConstants.length) ctx.print(`caveat: constants without a published figure: ${r.unverifiedConstants.join(", ")}\n`);
  if (plot && r.cores.length) ctx.display.plotly(meshUtilisation(r, { metric }));
}

/** The %compile magic. */
export const compileMagic = defineMagic({
  name: "compile",
  summary: "compile a Graph for a target; report as tables and a mesh heatmap",
  description: "GRAPH is the name of a cell variable holding a Graph, or a .nir file. Shows the resource report (layers, cores, routing, traffic, host split, caveats) and a Plotly heatmap of core utilisation on the mesh. Returns the Program (bind it with --as).",
  arguments: [{ name: "graph", description: "variable name of a Graph, or a .nir file" }],
  options: [
    { flags: "-t, --target <target>", description: "target name, TARGET.json, or a variable holding a Target", default: "generic-mesh" },
    { flags: "--dt <seconds>", description: "time step", default: 1e-4, parse: positive },
    { flags: "--placer <placer>", description: "placement", default: "optimise", choices: ["optimise", "greedy"] },
    { flags: "--seed <n>", description: "placer seed", default: 0, parse: (v) => Number.parseInt(v, 10) },
    { flags: "--reset <mode>", description: "reset after a spike (default: the convention's where its framework has only one, else the target's first)", choices: ["zero", "subtract"] },
    { flags: "--lowering <mode>", description: "convolutions", default: "auto", choices: ["auto", "expand", "weight-shared"] },
    { flags: "--host", description: "run what the target cannot on a host partition instead of failing" },
    { flags: "--counts <name>", description: "variable holding spike counts per layer ({ layer: number[] }) to weight traffic" },
    { flags: "--convention <c>", description: "NIR convention for a .nir file",
      default: DEFAULT_CONVENTION, choices: [...conventionNames] },
    { flags: "--metric <m>", description: "heatmap colour", default: "max", choices: ["max", "neurons", "synapses", "fanIn", "fanOut"] },
    { flags: "--no-plot", description: "tables only" },
    { flags: "-q, --quiet", description: "show nothing (use with --as)" },
  ],
  modes: ["line"],
  examples: ["%compile net --target loihi --as prog", "%compile braille.nir --convention snntorch -t xylo-audio2", "%compile net -t speck --host --metric neurons"],
  async run(input, ctx) {
    const o = input.options as { target: string; dt: number; placer: "optimise" | "greedy"; seed: number; reset?: "zero" | "subtract"; lowering: "auto" | "expand" | "weight-shared"; host?: boolean; counts?: string; convention: Convention; metric: MeshMetric; plot: boolean; quiet?: boolean };
    const spec = String(input.args[0]);
    const g = await graphOf(spec, ctx, "compile", { convention: fileOnly(o.convention, spec, "compile"), dt: o.dt });
    const held = o.target.endsWith(".json") ? undefined : ctx.getVariable(o.target);
    const target = targetOf(typeof held === "object" && held !== null ? (held as Target) : o.target, ctx);
    const conv = conventionOf(g);
    const reset = compileReset(conv, o.reset);
    const p: Program = compile(g, target, {
      dt: o.dt, placer: o.placer, seed: o.seed, reset, lowering: o.lowering, allowHost: !!o.host, spikeCounts: countsOf(o.counts, ctx),
    });
    if (!o.quiet) showReport(p.report, ctx, o.metric, o.plot);
    const resetNote = compileResetNote(conv, p.options.reset, target.name);
    if (!o.quiet) ctx.print(conventionLine({ ...conv, dt: conv.dt ?? o.dt }) + "\n" + (resetNote ? `note: ${resetNote}\n` : ""));
    return p;
  },
});

function positive(v: string): number {
  const x = Number(v);
  if (!(x > 0)) throw new Error(`expected a positive number, got "${v}"`);
  return x;
}
