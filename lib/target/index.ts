/** Hardware descriptions: the Target schema, presets and the registry. */
export type * from "./types.js";
export { parseTarget, safeParseTarget, targetSchema } from "./schema.js";
export { targets, getTarget, targetNames, defineTarget, readTargetFile, resolveTarget } from "./registry.js";
export { loihi, loihi2 } from "./presets/loihi.js";
export { truenorth } from "./presets/truenorth.js";
export { spinnaker2 } from "./presets/spinnaker2.js";
export { xyloAudio2 } from "./presets/xylo.js";
export { speck, speckKernelMemory, speckNeuronMemory, SPECK_KERNEL_MEMORY, SPECK_NEURON_MEMORY } from "./presets/speck.js";
export { genericMesh, type GenericMeshParams } from "./presets/generic.js";
export { nahuku32, spinnaker2Board48 } from "./presets/systems/index.js";
export { systemTarget, systemOf, chipCount, chipOfCore } from "./system.js";
