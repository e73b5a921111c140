/** %nir load | info | save: NIR files in a notebook, over lib/ir/nir. */
import { resolve } from "node:path";
import { PhasorError } from "../../lib/ir/errors.js";
import {
  readNirWithInfo, writeNir, conventionNames, DEFAULT_CONVENTION, type Convention,
} from "../../lib/ir/nir/index.js";
import { describeGraph, type GraphInfo } from "../../lib/ir/describe.js";
import { defineMagic, type MagicContext } from "./types.js";
import { graphOf, isGraph, positive } from "./values.js";

const shape = (s?: number[]) => (s ? `[${s.join(", ")}]` : "?");

/** Shows a graph's nodes as a table, then its edges and totals as text. */
function showInfo(info: GraphInfo, ctx: MagicContext): void {
  ctx.display.table(info.nodes.map((n) => ({
    node: n.name, type: n.type + (n.extension ? " (ext)" : ""), input: shape(n.input_shape), output: shape(n.output_shape),
    parameters: Object.entries(n.params).map(([k, v]) => `${k}${Array.isArray(v) ? shape(v) : "=" + v}`).join(" "),
  })));
  ctx.print(`edges: ${info.edges.map((e) => `${e.src} -> ${e.dst}${e.port ? ` (port ${e.port})` : ""}`).join(", ")}\n${info.totals.nodes} nodes, ${info.totals.neurons} neurons, ${info.totals.parameters} parameters\n`);
}

/** --convention applies to a .nir file; a Graph variable keeps the convention it was read with. */
export function fileOnly(convention: Convention, spec: string, magic: string): Convention {
  if (convention !== DEFAULT_CONVENTION && !spec.endsWith(".nir"))
    throw new PhasorError(`%${magic} --convention applies to a .nir file; "${spec}" holds a Graph, ` +
      "which keeps the convention it was read with (%nir load FILE --convention ...)", "usage");
  return convention;
}

interface NirOptions { convention: Convention; dt?: number; gzip?: boolean; quiet?: boolean }

/** The %nir magic. */
export const nirMagic = defineMagic({
  name: "nir",
  summary: "load, inspect and save NIR files",
  description:
    "load FILE: reads a .nir file into a Graph (bind it with --as net); the exporter's dt convention is explicit " +
    "(--convention, default raw: parameters as stored; docs/conventions.md). A converted graph remembers its " +
    "convention, so %sim and %compile run it with that framework's reset and spike rule.\n" +
    "info FILE|VAR: nodes with types and shapes, edges.\n" +
    "save VAR FILE: writes the Graph held by VAR in the NIR reference layout (Phasor extensions are refused with the node and field).",
  arguments: [
    { name: "action", description: "load, info or save", required: true, complete: { values: ["load", "info", "save"] } },
    { name: "what", description: "a .nir file, or the name of a variable holding a Graph", required: true },
    { name: "file", description: "for save: the .nir file to write", required: false },
  ],
  options: [
    {
      flags: "--convention <name>", description: "how the exporting framework baked dt into the parameters",
      default: DEFAULT_CONVENTION, choices: [...conventionNames],
    },
    { flags: "--dt <seconds>", description: "time step the exporter used (needed by some conventions)", parse: positive },
    { flags: "--gzip", description: "save: compress datasets with gzip" },
    { flags: "-q, --quiet", description: "load: show nothing (use with --as)" },
  ],
  modes: ["line"],
  examples: ["%nir load net.nir --as net", "%nir load braille.nir --convention snntorch --dt 1e-4 --as braille", "%nir info net", "%nir save net out.nir"],
  async run(input, ctx) {
    const [action, what, file] = input.args as [string, string, string | undefined];
    const o = input.options as unknown as NirOptions;
    if (action === "load") {
      const r = await readNirWithInfo(resolve(ctx.cwd, what), { convention: o.convention, dt: o.dt });
      if (!o.quiet) {
        ctx.print(`${what}: NIR ${r.version}; ${r.notes.join("; ")}\n`);
        showInfo(describeGraph(r.graph), ctx);
      }
      return r.graph;
    }
    if (action === "info") return showInfo(describeGraph(await graphOf(what, ctx, "nir", o)), ctx);
    if (action === "save") {
      if (!file) throw new PhasorError("%nir save needs a variable and a file: %nir save net out.nir", "usage");
      const g = ctx.getVariable(what);
      if (!isGraph(g)) throw new PhasorError(`%nir save: "${what}" is not a variable holding a Graph`, "usage");
      const bytes = await writeNir(g, resolve(ctx.cwd, file), { compression: o.gzip ? "gzip" : "none" });
      ctx.print(`wrote ${file} (${bytes.length} bytes)\n`);
      return undefined;
    }
    throw new PhasorError(`%nir: unknown action "${action}"; use load, info or save`, "usage");
  },
});
