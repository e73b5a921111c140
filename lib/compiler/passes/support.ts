/** Target support: which layers the chip can run; the rest go to the host partition (when allowed) or fail with the reason. */
import { IssueList } from "../../ir/errors.js";
import type { Layer } from "../netlist.js";
import type { CompileState } from "../state.js";
import { chipLimits } from "./rules.js";

/** Assigns unsupported layers to the host (allowHost) or reports them; checks the reset mode. */
export function assignPartitions(s: CompileState): CompileState {
  const t = s.target, o = s.options;
  const issues = new IssueList();
  if (!t.resets.includes(o.reset)) issues.add("unsupported-reset", ["options", "reset"], `reset "${o.reset}" is not supported by ${t.name} (supports ${t.resets.join(", ")})`);
  const layers: Layer[] = s.netlist!.layers.map((l) => {
    const why = l.kind === "readout"
      ? `${l.name} is a non-spiking linear readout (no neuron before the Output); ${t.name} emits spikes only`
      : l.kind === "neuron" && !(t.models as string[]).includes(l.model)
        ? `${l.name} is ${/^[AEIOU]/.test(l.model) ? "an" : "a"} ${l.model} neuron; ${t.name} runs ${t.models.join(", ")} only`
        : undefined;
    if (!why) return l;
    if (o.allowHost) return { ...l, host: true, hostReason: why };
    issues.add("unsupported-model", [l.name], why + " (to run it on the host CPU instead: --host on the command line and in %compile, allowHost: true in the API)");
    return l;
  });
  chipLimits({ ...s.netlist!, layers }, t, issues);
  issues.throwIfAny();
  return { ...s, netlist: { ...s.netlist!, layers } };
}
