/** The TypeScript type of a JSON Schema written `as const`; one mechanism for every format (lib/ir/json-schema.ts). */
export type { Infer } from "../../ir/json-schema.js";
