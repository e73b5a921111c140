/**
 * Entry point of a data-parallel training worker (a worker_thread). It selects its own TF.js
 * backend, holds a replica of the model, and for every shard it receives (with the current
 * weights) replies with the loss, the accuracy and the gradients of the shard's mean loss.
 * The protocol is typed in parallel.ts.
 */
import { parentPort } from "node:worker_threads";
import { useBackend } from "./backend.js";
import { spikingModel, type SpikingModel } from "./model.js";
import type { ToWorker, FromWorker } from "./parallel.js";
import { gradients } from "./step.js";

const port = parentPort;
let model: SpikingModel | undefined;
let opts: Extract<ToWorker, { type: "init" }>["objective"] | undefined;

function reply(m: FromWorker, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(m, transfer);
}

async function handle(m: ToWorker): Promise<void> {
  if (m.type === "init") {
    const info = await useBackend(m.backend);
    model = spikingModel(m.config, { weights: m.weights });
    opts = m.objective;
    reply({ type: "ready", backend: info.name });
    return;
  }
  if (m.type !== "step") return;
  if (!model || !opts) throw new Error("worker received a step before init");
  model.setWeights(m.weights);
  const r = gradients(model, m.batch, opts);
  reply({ type: "grads", id: m.id, loss: r.loss, accuracy: r.accuracy, grads: r.grads }, Object.values(r.grads).map((g) => g.buffer as ArrayBuffer));
}

port?.on("message", (m: ToWorker) => {
  if (m.type === "close") {
    model?.dispose();
    port.close();
    return;
  }
  handle(m).catch((e: unknown) => reply({ type: "error", message: e instanceof Error ? e.stack ?? e.message : String(e) }));
});
