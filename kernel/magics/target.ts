/** %target list | show NAME | define VAR|FILE.json (and %%target define with a JSON body): hardware descriptions. */
import { resolve } from "node:path";
import { PhasorError } from "../../lib/ir/errors.js";
import { defineTarget, getTarget, readTargetFile, targetNames } from "../../lib/target/registry.js";
import type { Constant, Target } from "../../lib/target/types.js";
import { defineMagic, type MagicContext } from "./types.js";

const ACTIONS = ["list", "show", "define"] as const;
type Action = (typeof ACTIONS)[number];

/** One row per timing and energy constant, with its provenance (what `%target show` tabulates); an unpublished one's value is "n/a". */
export function constantRows(t: Target): Array<{ constant: string; value: number | string; unit: string; kind: string; source: string }> {
  const rows: Array<{ constant: string; value: number | string; unit: string; kind: string; source: string }> = [];
  const row = (path: string, v: Constant) => rows.push({ constant: path, value: v.kind === "unpublished" ? "n/a" : v.value, unit: v.unit, kind: v.kind, source: v.source });
  for (const [group, consts] of [["timing", t.timing], ["energy", t.energy]] as const)
    for (const [k, v] of Object.entries(consts)) if (v && typeof v === "object" && "source" in v) row(`${group}.${k}`, v as Constant);
  t.timing.barrier?.points.forEach((p) => row(`timing.barrier (${p.tiles} tiles, ${t.timing.barrier!.lookup})`, p.time));
  return rows;
}

/** One row per registered target (what `%target list` tabulates). */
export function targetRows(): Array<Record<string, string | number>> {
  return targetNames().map((n) => {
    const t = getTarget(n);
    return { name: t.name, cores: t.cores, mesh: `${t.mesh.width}x${t.mesh.height}x${t.mesh.coresPerRouter}`, "neurons/core": t.core.neurons, "weight bits": t.arithmetic.weightBits, models: t.models.join(" "), description: t.description };
  });
}

function show(t: Target, ctx: MagicContext): void {
  const c = t.core, a = t.arithmetic;
  ctx.print(`${t.name}: ${t.description}\n${t.cores} cores on a ${t.mesh.width}x${t.mesh.height} mesh (${t.mesh.coresPerRouter} per router, ${t.mesh.multicast ? "multicast" : "unicast"}); per core ${c.neurons} neurons, ${c.synapses} synapses, fan-in ${c.fanIn}, fan-out ${c.fanOut}; ${a.weightBits}-bit weights, ${a.stateBits}-bit state, ${a.decay} decay; models ${t.models.join(", ")}\n`);
  ctx.display.table(constantRows(t));
  const refs = Object.entries(t.references);
  if (refs.length) ctx.print(refs.map(([k, v]) => `[${k}] ${v}`).join("\n") + "\n");
}

/** A target definition from a cell variable (a TS object), a JSON file, or a JSON cell body. */
function definition(spec: string | undefined, body: string | undefined, ctx: MagicContext): unknown {
  if (body !== undefined && body.trim() !== "") {
    try {
      return JSON.parse(body);
    } catch (e) {
      throw new PhasorError([{ code: "bad-target", path: ["cell"], message: `the cell body is not JSON: ${(e as Error).message}` }]);
    }
  }
  if (!spec) throw new PhasorError("%target define needs a variable name, a .json file, or (as %%target define) a JSON cell body", "usage");
  if (spec.endsWith(".json")) return readTargetFile(resolve(ctx.cwd, spec));
  const value = ctx.getVariable(spec);
  if (value === undefined) throw new PhasorError(`%target define: no variable "${spec}" (give a variable holding a Target object, or a .json file)`, "usage");
  return value;
}

/** The %target magic. */
export const targetMagic = defineMagic({
  name: "target",
  summary: "list, show or define hardware targets",
  description: "list: every registered target. show NAME|FILE.json: limits, arithmetic and every timing/energy constant with its source and kind. define VAR|FILE.json: validates a Target (a TypeScript object held in a cell variable, or JSON) and registers it under its name; %%target define takes the JSON as the cell body. show and define return the Target (bind it with --as).",
  arguments: [
    { name: "action", description: `one of ${ACTIONS.join(", ")}`, complete: { values: [...ACTIONS] } },
    {
      name: "spec", description: "a target name, a .json file, or (define) a variable name", required: false,
      complete: { from: ["targets", "variables", "files"], ext: [".json"] },
    },
  ],
  options: [{ flags: "--json", description: "show: print the target as JSON instead of tables" }],
  modes: ["line", "cell"],
  examples: ["%target list", "%target show loihi", "%target define myChip", "%target define chips/mine.json --as mine", "%%target define\n{ \"name\": \"mine\", ... }"],
  run(input, ctx) {
    const [action, spec] = input.args as [string, string | undefined];
    if (!(ACTIONS as readonly string[]).includes(action)) throw new PhasorError(`%target: unknown action "${action}"; use ${ACTIONS.join(", ")}`, "usage");
    switch (action as Action) {
      case "list":
        ctx.display.table(targetRows());
        return undefined;
      case "show": {
        if (!spec) throw new PhasorError("%target show needs a target name or a .json file", "usage");
        const t = spec.endsWith(".json") ? readTargetFile(resolve(ctx.cwd, spec)) : getTarget(spec);
        if (input.options.json) ctx.print(JSON.stringify(t, null, 1) + "\n");
        else show(t, ctx);
        return t;
      }
      case "define": {
        const t = defineTarget(definition(spec, input.body, ctx));
        ctx.print(`defined target ${t.name} (${t.cores} cores, ${t.core.neurons} neurons per core)\n`);
        return t;
      }
    }
  },
});
