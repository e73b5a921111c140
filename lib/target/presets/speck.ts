/** SynSense Speck (DYNAP-CNN): 9 convolutional cores. */
import type { CoreSpec, Target } from "../types.js";
import { c, unpublished } from "./constant.js";

const SINABS = "Sinabs documentation, Speck overview (Chip Resources: memory constraints and network sizing) and sinabs/backend/dynapcnn/mapping.py (_WEIGHTS_MEMORY_SIZE, _NEURONS_MEMORY_SIZE)";

const YAO = "Yao, Richter et al., Spike-based dynamic computing with asynchronous sensing-computing neuromorphic chip, Nature Communications 15, 4464, 2024";
const ASYNC = "Speck's cores are asynchronous (no clock) and its per-event latencies are not published; it runs in real time, one dt per step";
const ENERGY = `${YAO} reports chip power (processor resting power 0.42 mW, total as low as 0.70 mW) for its demonstrations, not per-event energies nor the event counts a fit would need`;

/** Kernel memory per core in entries, as Sinabs lists it (cores 0..8). */
export const SPECK_KERNEL_MEMORY = [16, 16, 16, 32, 32, 64, 64, 16, 16].map((k) => k * 1024);
/** Neuron memory per core in entries (cores 0..8). */
export const SPECK_NEURON_MEMORY = [64, 64, 64, 32, 32, 16, 16, 16, 16].map((k) => k * 1024);

/** Speck: 9 DYNAP-CNN cores (conv -> IAF -> sum pool), kernel <= 16x16, stride 1/2/4/8, input <= 128x128, output map <= 64x64, 8-bit weights, 16-bit state, 2 destinations per core. */
export function speck(): Target {
  const overrides: Partial<CoreSpec>[] = SPECK_KERNEL_MEMORY.map((k, i) => ({ kernelMemory: k, neuronMemory: SPECK_NEURON_MEMORY[i] }));
  return {
    name: "speck",
    description: "SynSense Speck: DVS + 9 DYNAP-CNN cores, each a convolution -> integrate-and-fire -> sum pooling layer",
    references: { sinabs: SINABS, yao2024: YAO },
    mesh: { width: 9, height: 1, coresPerRouter: 1, multicast: false, tableEntries: 9 },
    cores: 9,
    core: { neurons: 65536, synapses: 65536, fanIn: 1 << 20, fanOut: 2, kernelMemory: 16384, neuronMemory: 16384, biasMemory: 1024 },
    coreOverrides: overrides,
    arithmetic: { weightBits: 8, stateBits: 16, decay: "none", fixedPoint: true },
    models: ["IF"],
    resets: ["subtract", "zero"],
    conv: { weightShared: true, maxKernel: 16, strides: [1, 2, 4, 8], maxInput: 128, maxOutput: 64, maxChannels: 1024, pooling: [1, 2, 4], maxPadding: 7 },
    limits: { layerFanOut: 2 },
    rules: ["speck"],
    mapping: "layer-per-core",
    timing: {
      clock: unpublished("Hz", ASYNC),
      synOp: unpublished("cycle", ASYNC),
      neuronUpdate: unpublished("cycle", ASYNC),
      hop: unpublished("cycle", ASYNC),
      timeBase: "real-time",
    },
    energy: {
      synOp: unpublished("pJ", ENERGY),
      neuronUpdate: unpublished("pJ", ENERGY),
      hop: unpublished("pJ", ENERGY),
      staticPerCore: c(0, "W", "counted in energy.staticPerChip (the resting power is published for the whole chip)", "silicon"),
      staticPerChip: c(0.42e-3, "W", YAO + ": processor resting power 0.42 mW (whole chip)", "silicon"),
    },
  };
}

/** Speck kernel memory of a convolution: c * 2^(ceil(log2(kx*ky)) + ceil(log2 f)) (Sinabs' K_MT). */
export function speckKernelMemory(cin: number, f: number, kx: number, ky: number): number {
  return cin * 2 ** (Math.ceil(Math.log2(kx * ky)) + Math.ceil(Math.log2(f)));
}

/** Speck neuron memory: f * 2^(ceil(log2 fy) + ceil(log2 fx)) (Sinabs' memory_summary). */
export function speckNeuronMemory(f: number, fy: number, fx: number): number {
  return f * 2 ** (Math.ceil(Math.log2(fy)) + Math.ceil(Math.log2(fx)));
}
