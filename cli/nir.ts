/** `phasor nir info FILE [--json]`. */
import { conventionJson, conventionLine, readNirWithInfo, type Convention } from "../lib/ir/nir/index.js";
import { describeGraph, formatGraphInfo } from "../lib/ir/describe.js";

/** Prints the nodes (types and shapes) and edges of a NIR file, and the convention it was read with. */
export async function nirInfoCommand(file: string, o: { json?: boolean; convention: Convention; dt?: number }): Promise<void> {
  const nir = await readNirWithInfo(file, { convention: o.convention, dt: o.dt });
  const info = describeGraph(nir.graph);
  const notes = nir.notes.slice(1);
  if (o.json) console.log(JSON.stringify({ file, convention: conventionJson(nir.record), notes, ...info }, null, 2));
  else {
    const head = [file, conventionLine(nir.record), ...notes.map((n) => `note: ${n}`)];
    console.log(`${head.join("\n")}\n\n${formatGraphInfo(info)}`);
  }
}
