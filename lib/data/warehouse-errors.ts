/** The warehouse's user errors: one issue with a code, where it happened and what to do. */
import { PhasorError } from "../ir/errors.js";

/** A PhasorError with one issue. */
export function dataError(code: string, path: (string | number)[], message: string): PhasorError {
  return new PhasorError([{ code, path, message }]);
}
