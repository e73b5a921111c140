/** Numeric CSV: one row per time step, one column per element; an optional header row. */
import { PhasorError, IssueList } from "../errors.js";
import type { NdArray } from "./npy.js";

/** Parses numeric CSV text into [rows, columns]; a first row that is not numeric is taken as a header. */
export function parseCsv(text: string, where = "csv"): NdArray & { header?: string[] } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (!lines.length) throw new PhasorError([{ code: "bad-csv", path: [where], message: "file is empty" }]);
  const split = (l: string) => l.split(",").map((s) => s.trim());
  let header: string[] | undefined;
  if (split(lines[0]).some((c) => c !== "" && Number.isNaN(Number(c)))) header = split(lines.shift()!);
  const width = header?.length ?? split(lines[0] ?? "").length;
  const data = new Float64Array(lines.length * width);
  const issues = new IssueList();
  lines.forEach((l, r) => {
    const cells = split(l);
    const line = r + 1 + (header ? 1 : 0);
    if (cells.length !== width) return issues.add("bad-csv", [`${where} line ${line}`], `has ${cells.length} columns, expected ${width}`);
    cells.forEach((c, k) => {
      const v = Number(c);
      if (c === "" || Number.isNaN(v)) issues.add("bad-csv", [`${where} line ${line}`], `column ${k + 1} is not a number: "${c}"`);
      data[r * width + k] = v;
    });
  });
  if (issues.issues.length > 10) issues.issues.splice(10, issues.issues.length - 10, { code: "bad-csv", path: [where], message: "... and more" });
  issues.throwIfAny();
  return { shape: [lines.length, width], data, header };
}

/** Formats columns as CSV with a header row; numbers printed with full precision. */
export function formatCsv(header: string[], columns: ArrayLike<number>[]): string {
  const rows = columns.length ? columns[0].length : 0;
  const out: string[] = [header.join(",")];
  for (let r = 0; r < rows; r++) {
    const cells = new Array<string>(columns.length);
    for (let c = 0; c < columns.length; c++) cells[c] = String(columns[c][r]);
    out.push(cells.join(","));
  }
  return out.join("\n") + "\n";
}
