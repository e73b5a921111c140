// The vectors of ../shared/golden/loihi-lava (produced by Lava's own bit-accurate LIF and Dense;
// the folder's README gives the arithmetic) and their network as Lava's constructor arguments,
// shared by test/vm-loihi-lava.test.ts and test/systemc.test.ts.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { LavaNetwork } from "../lib/compiler/index.js";
import { need, sharedDir } from "./support.js";

/** One golden case: inputs, Lava's LIF and Dense arguments, initial state and what Lava computed. */
export interface Golden {
  case: string;
  num_steps: number;
  inputs: Record<string, { size: number; spikes: number[][] }>;
  lif: Array<{ name: string; size: number; du: number; dv: number; vth: number; bias_mant: number[]; bias_exp: number[];
    u_init: number[]; v_init: number[] }>;
  dense: Array<{ name: string; src: string; dst: string; weights: number[][]; weight_exp: number; num_weight_bits: number;
    sign_mode_given: string | null }>;
  expected: Record<string, { u: number[][]; v: number[][]; spikes: number[][] }>;
}

/** The folder of the golden vectors. */
export const goldenDir = join(sharedDir, "golden/loihi-lava");

/** True when the vectors are there (else the caller's tests skip with a message naming the folder). */
export const haveGolden = (): boolean =>
  need("../shared/golden/loihi-lava", existsSync(join(goldenDir, "README.md")), "place the shared folder beside the repository");

/** The case files, sorted (empty when the folder is absent). */
export const goldenFiles = (): string[] => (haveGolden() ? readdirSync(goldenDir).filter((f) => f.endsWith(".json")).sort() : []);

/** Reads one case file. */
export const readGolden = (file: string): Golden => JSON.parse(readFileSync(join(goldenDir, file), "utf8")) as Golden;

/** The golden case as Lava's constructor arguments (sign mode only where the case passed one). */
export function lavaNetwork(g: Golden): LavaNetwork {
  return {
    inputs: Object.fromEntries(Object.entries(g.inputs).map(([k, v]) => [k, v.size])),
    lif: g.lif.map((l) => ({ name: l.name, size: l.size, du: l.du, dv: l.dv, vth: l.vth, bias_mant: l.bias_mant, bias_exp: l.bias_exp })),
    dense: g.dense.map((d) => ({
      name: d.name, src: d.src, dst: d.dst, weights: d.weights, weight_exp: d.weight_exp, num_weight_bits: d.num_weight_bits,
      ...(d.sign_mode_given ? { sign_mode: d.sign_mode_given as "MIXED" } : {}),
    })),
  };
}
