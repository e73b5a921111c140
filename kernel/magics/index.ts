/**
 * The magic registry. A new magic is one file exporting `defineMagic({...})` plus one line
 * in MAGICS below; nothing is discovered from the filesystem.
 */
import { Registry } from "../../lib/ir/registry.js";
import { compileMagic } from "./compile.js";
import { datasetMagic } from "./dataset.js";
import { lsmagicMagic } from "./lsmagic.js";
import { nirMagic } from "./nir.js";
import { simMagic } from "./sim.js";
import { targetMagic } from "./target.js";
import { timeMagic } from "./time.js";
import { timeitMagic } from "./timeit.js";
import { trainMagic } from "./train.js";
import { vmMagic } from "./vm.js";
import { powerMagic } from "./power.js";
import { traceMagic } from "./trace.js";
import { sweepMagic } from "./sweep.js";
import { hwMagic } from "./hw.js";
import { phasorMagic } from "./phasor.js";
import type { MagicSpec } from "./types.js";

export { defineMagic, type MagicContext, type MagicInput, type MagicSpec, type MagicOption, type MagicArgument } from "./types.js";

/** Every magic, in one explicit list. */
export const MAGICS: MagicSpec[] = [
  lsmagicMagic,
  timeMagic,
  timeitMagic,
  nirMagic,
  simMagic,
  targetMagic,
  compileMagic,
  trainMagic,
  datasetMagic,
  vmMagic,
  powerMagic,
  traceMagic,
  sweepMagic,
  phasorMagic,
  hwMagic,
];

/** A registry holding MAGICS (a fresh one per session). */
export function magicRegistry(extra: MagicSpec[] = []): Registry<MagicSpec> {
  const r = new Registry<MagicSpec>("magic");
  for (const m of [...MAGICS, ...extra]) r.register(m.name, m);
  return r;
}
