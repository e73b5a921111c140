/** A generic mesh whose every dimension is a parameter (architecture search). */
import type { Constant, Target } from "../types.js";
import { loihi } from "./loihi.js";
import { c } from "./constant.js";

/** Parameters of generic-mesh; every field has a default. */
export interface GenericMeshParams {
  width?: number;
  height?: number;
  coresPerRouter?: number;
  neuronsPerCore?: number;
  synapsesPerCore?: number;
  fanIn?: number;
  fanOut?: number;
  weightBits?: number;
  stateBits?: number;
  decayBits?: number;
  multicast?: boolean;
  tableEntries?: number;
  weightShared?: boolean;
  name?: string;
}

/**
 * generic-mesh: defaults 8x8 cores, 256 neurons, 64k synapses, 8-bit weights, multicast; energies
 * and latencies copied from Loihi (Davies 2018) and marked so. Every neuron update is charged at
 * Loihi's active figure (an upper bound): telling inactive ones apart costs a pass over the
 * neurons every step, which the loihi presets pay and an architecture search need not.
 */
export function genericMesh(p: GenericMeshParams = {}): Target {
  const l = loihi();
  const w = p.width ?? 8, h = p.height ?? 8, per = p.coresPerRouter ?? 1;
  const copy = (e: Constant) => c(e.value, e.unit, "generic default copied from loihi: " + e.source, e.kind);
  const copied = (k: keyof typeof l.energy) => copy(l.energy[k] as Constant);
  const t = l.timing;
  return {
    name: p.name ?? "generic-mesh",
    description: `Generic ${w}x${h} mesh, ${per} core(s) per router, ${p.neuronsPerCore ?? 256} neurons per core (every dimension a parameter)`,
    references: l.references,
    mesh: { width: w, height: h, coresPerRouter: per, multicast: p.multicast ?? true, tableEntries: p.tableEntries ?? 1024 },
    cores: w * h * per,
    core: { neurons: p.neuronsPerCore ?? 256, synapses: p.synapsesPerCore ?? 65536, fanIn: p.fanIn ?? 4096, fanOut: p.fanOut ?? 4096 },
    arithmetic: { weightBits: p.weightBits ?? 8, stateBits: p.stateBits ?? 24, decay: "multiply", decayBits: p.decayBits ?? 12, fixedPoint: true },
    models: ["LIF", "CubaLIF", "IF", "LI", "CubaLI", "MultiCubaLIF"],
    resets: ["zero", "subtract"],
    conv: { weightShared: p.weightShared ?? false, maxKernel: 16 },
    limits: {},
    rules: [],
    mapping: "mesh",
    // Loihi's latencies at 1 GHz (whole ns); the barrier is the mesh formula (Loihi's table covers 1-32 tiles).
    timing: {
      clock: c(1e9, "Hz", "generic default: 1 GHz, so latencies copied from loihi count in whole ns", "pre-silicon"),
      synOp: copy(t.synOp), neuronUpdate: copy(t.neuronUpdate), hop: copy(t.hop), hopNS: copy(t.hopNS!), withinTile: copy(t.withinTile!),
    },
    energy: { synOp: copied("synOp"), neuronUpdate: copied("neuronUpdate"), hop: copied("hop"), hopNS: copied("hopNS"), withinTile: copied("withinTile"), staticPerCore: copied("staticPerCore") },
  };
}
