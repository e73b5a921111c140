/** Worker thread of `sweep`: evaluates the grid points it is sent. */
import { parentPort, workerData } from "node:worker_threads";
import type { Graph } from "../ir/graph.js";
import type { GenericMeshParams } from "../target/presets/generic.js";
import { evaluate, type SweepRun } from "./sweep.js";

const { graph, run } = workerData as { graph: Graph; run: SweepRun };
parentPort?.on("message", (m: { i: number; params: GenericMeshParams }) => parentPort!.postMessage({ i: m.i, row: evaluate(graph, m.params, run) }));
