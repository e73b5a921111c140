/** %trace RESULT: membrane (and current) traces of the layers a VM run recorded. */
import { PhasorError } from "../../lib/ir/errors.js";
import { traces, recordColumns } from "../../lib/plot/traces.js";
import { defineMagic } from "./types.js";
import { programOf, resultOf } from "./vm.js";
import { programLevels, programOfRun } from "./levels.js";
import { positiveInt } from "./values.js";

/** The %trace magic. */
export const traceMagic = defineMagic({
  name: "trace",
  modes: ["line"],
  summary: "traces of recorded state (v, currents, spikes) from a VM run",
  description: "RESULT is a variable holding a VM RunResult whose run recorded layers (%vm run PROGRAM --record LAYER --as r). Draws v (and i) of up to --neurons neurons per layer, in model units, one panel per layer and variable, spikes as markers, threshold and reset as lines (from --program or the Program %vm run ran). Returns the columns drawn (bind with --as).",
  arguments: [{ name: "result", description: "variable holding a VM RunResult", required: true }],
  options: [
    {
      flags: "--layer <names>", description: "comma-separated recorded layers (default: all recorded)",
      complete: { from: ["records"], list: true },
    },
    { flags: "--neurons <n>", description: "neurons per layer", default: 8, parse: positiveInt },
    { flags: "--sample <b>", description: "batch entry", default: 0, parse: Number },
    {
      flags: "--program <prog>", description: "Program of the run, for threshold and reset lines (default: the one %vm run ran)",
      complete: { from: ["programs"] },
    },
  ],
  examples: ["%trace r", "%trace r --layer lif1 --neurons 4"],
  run(input, ctx) {
    const r = resultOf(String(input.args[0]), ctx, "trace");
    const o = input.options as { layer?: string; neurons?: number; sample?: number; program?: string };
    const names = o.layer ? o.layer.split(",") : Object.keys(r.records);
    if (!names.length) throw new PhasorError("%trace: the run recorded no layers; run with %vm run PROGRAM --record LAYER --as r", "usage");
    const picked = Object.fromEntries(names.map((n) => {
      if (!r.records[n]) throw new PhasorError(`%trace: layer "${n}" was not recorded; recorded: ${Object.keys(r.records).join(", ") || "none"}`, "usage");
      // The chip's integers (v_int, i_int) are v and i over the layer's unit: plotted once, in model units.
      return [n, Object.fromEntries(Object.entries(r.records[n]).filter(([v]) => !v.endsWith("_int")))];
    }));
    const cols = recordColumns(picked, { steps: r.steps, batch: r.batch, sample: o.sample ?? 0, maxNeurons: o.neurons ?? 8 });
    const program = o.program ? programOf(o.program, ctx, "trace") : programOfRun(r);
    const levels = program ? programLevels(program, names.filter((n) => r.records[n].spike)) : {};
    ctx.display.plotly(traces(cols, { dt: r.dt, ...levels }));
    return cols;
  },
});
