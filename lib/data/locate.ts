/** Finding dataset files: an explicit path, or a folder under PHASOR_DATA; a clear error otherwise. */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { PhasorError } from "../ir/errors.js";

/** What a dataset needs on disk and where to get it (for the error message). */
export interface DatasetSource {
  name: string;
  /** Folder name under PHASOR_DATA. */
  folder: string;
  /** Files (or folders) that must exist inside the dataset folder. */
  files: string[];
  /** Where a user downloads them. */
  url: string;
}

/** Resolves the dataset folder: `path` if given, else $PHASOR_DATA/<folder>; checks the expected files. */
export function locateDataset(src: DatasetSource, path?: string, need: string[] = src.files): string {
  const root = path ?? (process.env.PHASOR_DATA ? join(process.env.PHASOR_DATA, src.folder) : undefined);
  const missing = root ? need.filter((f) => !existsSync(join(root, f))) : need;
  if (root && missing.length === 0) return resolve(root);
  const where = root ? `in ${resolve(root)}` : "(no path given and PHASOR_DATA is not set)";
  throw new PhasorError([{
    code: "dataset-missing",
    path: [src.name],
    message: `${src.name}: missing ${missing.join(", ")} ${where}. Download from ${src.url} and place the files in a folder passed as \`path\`, or in $PHASOR_DATA/${src.folder}/. Phasor never downloads datasets itself.`,
  }]);
}
