/** The runner registry: every runner, registered explicitly; `createRunner` resolves a --runner value. */
import { Registry } from "../ir/registry.js";
import type { Runner, RunnerOptions, RunnerSpec } from "./runner.js";
import { VmRunner } from "./vm-runner.js";
import { RemoteRunner } from "./remote.js";
import { ExportRunner } from "./export/runner.js";

/** Every runner by name. `remote` is reached as remote://HOST:PORT. */
export const runners = new Registry<RunnerSpec>("runner")
  .register("vm", { name: "vm", summary: "the local VM, behavioural engine", create: () => new VmRunner("behavioural") })
  .register("vm:cycle", { name: "vm:cycle", summary: "the local VM, cycle-accurate engine (adds timing)", create: () => new VmRunner("cycle") })
  .register("remote", { name: "remote", summary: "a board server over ZeroMQ with CURVE: remote://HOST:PORT --keys DIR", create: (o) => RemoteRunner.connect(`tcp://${(o.address ?? "").replace(/^\w+:\/\//, "")}`, o) })
  .register("export", { name: "export", summary: "NIR + manifest for Lava, Rockpool, Sinabs, SpiNNaker2 (--dir DIR)", create: (o) => new ExportRunner(o.dir) });

/** A runner from a --runner value: vm, vm:cycle, export, or remote://HOST:PORT. */
export function createRunner(spec: string, o: RunnerOptions = {}): Runner {
  if (spec.startsWith("remote://")) return RemoteRunner.connect(spec, o);
  return runners.get(spec).create(o);
}
