/**
 * What a board server checks in a deployed Program before any engine touches it: the Program
 * schema (lib/compiler/program-schema.ts) and its content checks (lib/compiler/program-check.ts:
 * layer shapes and sizes, every blob present with the right length and no NaN, CSR indptr
 * rising from 0 to nnz over pre + 1 entries, every index inside the destination layer,
 * convolution geometry, delays). A Program that passes cannot make the VM read outside its arrays.
 */
export { checkProgram } from "../../compiler/serialize.js";
