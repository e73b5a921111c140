/** `phasor nir info FILE [--json]`. */
import { readNir, type Convention } from "../lib/ir/nir/index.js";
import { describeGraph, formatGraphInfo } from "../lib/ir/describe.js";

/** Prints the nodes (types and shapes) and edges of a NIR file. */
export async function nirInfoCommand(file: string, o: { json?: boolean; convention: Convention; dt?: number }): Promise<void> {
  const g = await readNir(file, { convention: o.convention, dt: o.dt });
  const info = describeGraph(g);
  console.log(o.json ? JSON.stringify({ file, ...info }, null, 2) : `${file}\n\n${formatGraphInfo(info)}`);
}
