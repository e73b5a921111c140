/** NIR interchange: read and write NIR (HDF5) files in the reference library's layout. */
export { readNir, readNirWithInfo, type NirImportOptions, type NirReadResult } from "./read.js";
export { writeNir, checkNirExpressible, NIR_VERSION_WRITTEN, type NirWriteOptions } from "./write.js";
export {
  CONVENTIONS, DEFAULT_CONVENTION, applyConvention, conventionInfo, conventionNames,
  type Convention, type ConventionInfo, type ConventionName, type ConventionResult,
} from "./conventions.js";
export { NIR_TYPES } from "./schema.js";
