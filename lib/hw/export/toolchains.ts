/**
 * What each vendor toolchain's NIR import expects, written down as data for the export
 * manifest. Findings come from the import code each project publishes (commits noted in
 * docs/board-protocol.md, "Export"); Phasor runs none of these tools.
 */
import type { Graph, GraphNode } from "../../ir/graph.js";

/** One toolchain's import path and its time-step convention. */
export interface Toolchain {
  name: "lava" | "rockpool" | "sinabs" | "spinnaker2";
  /** The Python call that imports the exported file. */
  importCall: string;
  /** How the toolchain reads time from NIR parameters, in words. */
  dtConvention: string;
  /** Node types its importer maps (besides Input, Output and NIRGraph). */
  supports: string[];
  /** What to adjust before or after import so its dynamics match the Program's. */
  notes: string[];
}

/** The toolchains an export manifest covers. */
export const TOOLCHAINS: readonly Toolchain[] = [
  {
    name: "lava",
    importCall: "import_from_nir_to_lava(nir.read(FILE), ImportConfig(dt=DT, fixed_pt=True))  # NIR docs, examples/lava/nir_to_lava.py",
    dtConvention: "ImportConfig.dt (default 1e-4 s) is the step: LIF voltage decay dv = dt/tau per step, no current decay (du = 1), input weights scaled by dt/tau; r is not read (taken as 1). Fixed point: dv, du as 12-bit fractions (x 4095), weights x 256.",
    supports: ["LIF", "Affine"],
    notes: ["set ImportConfig.dt to the manifest's dt", "Phasor writes r = tau/dt (unit input gain per step); the Lava importer takes r = 1 and scales inputs by dt/tau, so multiply the incoming weights by r (= tau/dt) to keep the Program's gains", "Affine biases must be zero; Linear nodes need converting to Affine with zero bias"],
  },
  {
    name: "rockpool",
    importCall: "rockpool.nn.modules.from_nir(nir.read(FILE))",
    dtConvention: "no dt argument: each CubaLIF/LI node's dt is inferred as min(tau / (1 + r)); with Phasor's r = tau/dt that is tau*dt/(tau + dt), i.e. dt to first order in dt/tau. Rockpool then decays exactly (exp(-dt/tau)) and adds inputs with unit gain per step.",
    supports: ["CubaLIF", "LI", "Linear", "Affine"],
    notes: ["LIF and IF nodes are not imported; compile Cuba models for Rockpool/Xylo", "set each module's dt to the manifest's dt after import for an exact step", "the exact-exponential decay differs from Phasor's Euler decay (1 - dt/tau) to second order in dt/tau"],
  },
  {
    name: "sinabs",
    importCall: "sinabs.from_nir(nir.read(FILE), batch_size=B, num_timesteps=T)",
    dtConvention: "time is in steps (no dt): LIF tau is read as a number of steps (decay exp(-1/tau)), inputs are added once per step (norm_input=False), IF integrates its input once per step; r is ignored for LIF/IF and must be 1 for LI; v_leak must be 0.",
    supports: ["LIF", "IF", "LI", "Affine", "Conv1d", "Conv2d", "SumPool2d", "Flatten"],
    notes: ["divide every tau by the manifest's dt before import (Sinabs counts tau in steps)", "Sinabs' IAF resets by subtraction by default; match the manifest's reset", "Linear nodes need converting to Affine with zero bias"],
  },
  {
    name: "spinnaker2",
    importCall: "spinnaker2.s2_nir.from_nir(nir.read(FILE), cfg)  # cfg = s2_nir.ConversionConfig(); cfg.dt = DT; cfg.integrator = IntegratorMethod.FORWARD; cfg.reset = ResetMethod.ZERO|SUBTRACT",
    dtConvention: "ConversionConfig.dt is the step in the time unit of the file's tau (Phasor: seconds, so dt = the manifest's dt); IntegratorMethod.FORWARD is forward Euler, which is Phasor's canonical form; conn_delay = 0 matches Phasor's undelayed feed-forward edges.",
    supports: ["LIF", "Affine"],
    notes: ["use IntegratorMethod.FORWARD and the manifest's reset", "supports lists what the NIR documentation's SpiNNaker2 example shows (py-spinnaker2's s2_nir source, on GitLab, was not checked); other node types may import", "scale_weights = True maps weights to the chip's dynamic range; spikes then match only up to that quantisation"],
  },
];

/** Node types of a graph (nested graphs included), sorted. */
export function nodeTypes(g: GraphNode): string[] {
  const out = new Set<string>();
  const walk = (x: GraphNode) => { for (const n of Object.values(x.nodes)) { if (n.type === "NIRGraph") walk(n); else out.add(n.type); } };
  walk(g);
  return [...out].sort();
}

/** Per toolchain: whether its importer maps every node type of the graph, and which it does not. */
export function compatibility(g: Graph): Array<{ toolchain: Toolchain["name"]; importable: boolean; unsupported: string[] }> {
  const types = nodeTypes(g).filter((t) => t !== "Input" && t !== "Output");
  return TOOLCHAINS.map((t) => {
    const unsupported = types.filter((x) => !t.supports.includes(x));
    return { toolchain: t.name, importable: unsupported.length === 0, unsupported };
  });
}
