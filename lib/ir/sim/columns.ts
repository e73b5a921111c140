/** Flattens recorded variables into named columns, as the CSV output of `phasor simulate` lays them out. */
import { PhasorError } from "../errors.js";
import { numel } from "../graph.js";
import type { Buf, SimResult } from "./types.js";

/** One column: `NODE.VAR`, or `NODE.VAR[k]` for element k of a node with more than one element; one value per step. */
export interface SimColumn {
  name: string;
  values: Buf;
}

/** Columns of every recorded variable for one batch entry (default 0), in record order. */
export function columns(result: Pick<SimResult, "steps" | "batch" | "records"> & { shapes: Record<string, { output: number[] }> }, batch = 0): SimColumn[] {
  if (!Number.isInteger(batch) || batch < 0 || batch >= result.batch)
    throw new PhasorError([{ code: "bad-option", path: ["batch"], message: `batch ${batch} is outside 0..${result.batch - 1}` }]);
  const cols: SimColumn[] = [];
  const { steps, batch: B } = result;
  for (const [node, vars] of Object.entries(result.records)) {
    const n = numel(result.shapes[node].output);
    for (const [v, data] of Object.entries(vars))
      for (let k = 0; k < n; k++) {
        const values = data instanceof Float32Array ? new Float32Array(steps) : new Float64Array(steps);
        for (let t = 0; t < steps; t++) values[t] = data[(t * B + batch) * n + k];
        cols.push({ name: n === 1 ? `${node}.${v}` : `${node}.${v}[${k}]`, values });
      }
  }
  return cols;
}
