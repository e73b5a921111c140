/** %power RESULT: energy per inference as stacked bars per layer, a per-core heatmap on the mesh, and the constants behind every figure. */
import { powerByLayer, coreHeatmap } from "../../lib/plot/power.js";
import { energySummary } from "../../lib/vm/energy.js";
import { defineMagic } from "./types.js";
import { resultOf } from "./vm.js";

/** The %power magic. */
export const powerMagic = defineMagic({
  name: "power",
  modes: ["line"],
  summary: "energy and power of a VM run: stacked bars per layer, per-core heatmap, constants with their sources",
  description: "RESULT is a variable holding a VM RunResult (%vm run PROGRAM --as r). Shows energy per inference by layer and kind of operation, the energy of every core on the mesh, and a table of the target constants used with value, unit, source and kind (silicon, pre-silicon, all-in, fitted, unpublished); a figure resting on an unpublished constant is n/a with the reason; every energy and power figure is over chip time (its source is named). Caveats list all-in, fitted and zero constants. Returns the EnergyReport (bind with --as).",
  arguments: [{ name: "result", description: "variable holding a VM RunResult", required: true }],
  options: [{ flags: "--no-plot", description: "tables only" }, { flags: "-q, --quiet", description: "show nothing (use with --as)" }],
  examples: ["%power r", "%power r --as e"],
  run(input, ctx) {
    const r = resultOf(String(input.args[0]), ctx, "power"), e = r.energy;
    const o = input.options as { plot?: boolean; quiet?: boolean };
    if (o.quiet) return e;
    ctx.print(`${e.target}: ${energySummary(e)}\n`);
    // Dynamic, static and time explain every n/a; total and power are made of them (power n/a on its own when the chip time is 0).
    const na = Object.entries(e.na).filter(([what]) => what !== "total" && (what !== "power" || e.perInference !== null)).map(([what, why]) => `${what} n/a: ${why}`);
    if (na.length) ctx.print(`not available:\n  ${na.join("\n  ")}\n`);
    if (o.plot !== false) { ctx.display.plotly(powerByLayer(e, r.batch)); ctx.display.plotly(coreHeatmap(e, r.cores, r.mesh, r.batch)); }
    ctx.display.table(Object.entries(e.constants).map(([path, k]) => ({ constant: path, value: k.value ?? "n/a", unit: k.unit, kind: k.kind, source: k.source })));
    if (e.caveats.length) ctx.print(`caveats:\n  ${e.caveats.join("\n  ")}\n`);
    return e;
  },
});
