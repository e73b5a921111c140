/** The target registry: presets registered explicitly, user targets from TypeScript or JSON. */
import { readFileSync, existsSync } from "node:fs";
import { PhasorError } from "../ir/errors.js";
import { fsReason } from "../ir/io/files.js";
import { Registry } from "../ir/registry.js";
import type { Target } from "./types.js";
import { parseTarget } from "./schema.js";
import { loihi, loihi2 } from "./presets/loihi.js";
import { loihiSanafe } from "./presets/loihi-sanafe.js";
import { truenorth } from "./presets/truenorth.js";
import { spinnaker2 } from "./presets/spinnaker2.js";
import { xyloAudio2 } from "./presets/xylo.js";
import { speck } from "./presets/speck.js";
import { genericMesh } from "./presets/generic.js";
import { nahuku32, spinnaker2Board48 } from "./presets/systems/index.js";

/** Every known target by name; each entry builds a fresh copy. */
export const targets = new Registry<() => Target>("target")
  .register("loihi", loihi)
  .register("loihi2", loihi2)
  .register("loihi-sanafe", loihiSanafe)
  .register("truenorth", truenorth)
  .register("spinnaker2", spinnaker2)
  .register("xylo-audio2", xyloAudio2)
  .register("speck", speck)
  .register("generic-mesh", () => genericMesh())
  .register("nahuku32", nahuku32)
  .register("spinnaker2-48", spinnaker2Board48);

/** A fresh copy of a registered target; an unknown name lists the known ones. */
export function getTarget(name: string): Target {
  return targets.get(name)();
}

/** Names of every registered target. */
export function targetNames(): string[] {
  return targets.names();
}

const userTargets = new Map<string, Target>();

/** Validates a user target (TypeScript object or parsed JSON) and registers it under its name; defining a user target again replaces it (a re-run notebook cell), a preset's name is refused. */
export function defineTarget(t: unknown): Target {
  const target = parseTarget(t);
  if (targets.has(target.name) && !userTargets.has(target.name)) throw new PhasorError([{ code: "duplicate", path: ["target", "name"], message: `"${target.name}" is a preset; give your target another name` }]);
  if (!userTargets.has(target.name)) targets.register(target.name, () => structuredClone(userTargets.get(target.name)!));
  userTargets.set(target.name, structuredClone(target));
  return target;
}

/** Reads and validates a target JSON file. */
export function readTargetFile(path: string): Target {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new PhasorError([{ code: "bad-target-file", path: [path], message: `cannot read target JSON: ${fsReason(e) ?? (e as Error).message}` }]);
  }
  return parseTarget(data, path);
}

/** A target from a registered name, a .json path, or an object (validated). */
export function resolveTarget(spec: string | Target): Target {
  if (typeof spec !== "string") return parseTarget(spec);
  if (spec.endsWith(".json") || (spec.includes("/") && existsSync(spec))) return readTargetFile(spec);
  return getTarget(spec);
}
