/** NIR interchange: read and write NIR (HDF5) files in the reference library's layout. */
export { readNir, readNirWithInfo, type NirImportOptions, type NirReadResult } from "./read.js";
export { writeNir, checkNirExpressible, NIR_VERSION_WRITTEN, type NirWriteOptions } from "./write.js";
export {
  CONVENTIONS, CONVENTION_METADATA_KEY, DEFAULT_CONVENTION, applyConvention, conventionInfo, conventionJson,
  conventionLine, conventionNames, conventionOf, compileReset, compileResetNote, simulationOptions,
  type Convention, type ConventionDynamics, type ConventionInfo, type ConventionName, type ConventionRecord,
  type ConventionResult, type ConventionSimOptions, type SimulationChoices,
} from "./conventions.js";
export { NIR_TYPES } from "./schema.js";
