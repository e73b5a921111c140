/** The core models, registered by name, and the default model of each target. */
import { Registry } from "../../ir/registry.js";
import type { Target } from "../../target/types.js";
import { compartmentCore } from "./compartment.js";
import { crossbarCore } from "./crossbar.js";
import { xyloCore } from "./xylo.js";
import type { CoreModel } from "./types.js";

export type { CoreModel, StageCosts, Work } from "./types.js";

/** Core model factories by name; a further model is one file plus one line here. */
export const coreModels = new Registry<(t: Target) => CoreModel>("core model")
  .register("compartment", compartmentCore)
  .register("crossbar", crossbarCore)
  .register("xylo", xyloCore);

/** The model a target's cores follow (TrueNorth: crossbar; Xylo: xylo; others: compartment), or the one named. */
export function coreModelFor(t: Target, name?: string): CoreModel {
  const pick = name ?? (t.rules.includes("truenorth") ? "crossbar" : t.mapping === "single-core" ? "xylo" : "compartment");
  return coreModels.get(pick)(t);
}
