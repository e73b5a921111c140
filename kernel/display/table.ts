/**
 * Tables for display.table: rows of objects or arrays become an escaped text/html table and
 * an aligned text/plain one. Long tables are cut at maxRows with a note saying how many more.
 */
import { inspect } from "node:util";
import { escapeHtml } from "../../lib/plot/progress.js";

/** One row: an object keyed by column, or an array in column order. */
export type TableRow = ReadonlyArray<unknown> | { readonly [column: string]: unknown };

/** Rows alone (columns taken from the objects' keys), or explicit columns and rows. */
export type TableInput = ReadonlyArray<TableRow> | { readonly columns: ReadonlyArray<string>; readonly rows: ReadonlyArray<TableRow> };

/** Options for display.table. */
export interface TableOptions {
  /** Show at most this many rows (default 1000). */
  maxRows?: number;
}

/** The text/html and text/plain renderings of a table. */
export function tableBundle(input: TableInput, opts: TableOptions = {}): { "text/html": string; "text/plain": string } {
  const rows = isRowList(input) ? input : input.rows;
  if (!Array.isArray(rows)) throw new TypeError("display.table: expected an array of rows, or { columns, rows }");
  const columns = isRowList(input) ? inferColumns(rows) : [...input.columns];
  const maxRows = opts.maxRows ?? 1000;
  const shown = rows.slice(0, maxRows);
  const cells = shown.map((row) => columns.map((c, i) => cellOf(row, c, i)));
  const more = rows.length - shown.length;
  return { "text/html": tableHtml(columns, cells, more), "text/plain": tableText(columns, cells, more) };
}

function isRowList(input: TableInput): input is ReadonlyArray<TableRow> {
  return Array.isArray(input);
}

/** Object keys in first-seen order; for array rows, the column numbers. */
function inferColumns(rows: ReadonlyArray<TableRow>): string[] {
  const seen = new Set<string>();
  let width = 0;
  for (const row of rows) {
    if (Array.isArray(row)) width = Math.max(width, row.length);
    else if (typeof row === "object" && row !== null) for (const k of Object.keys(row)) seen.add(k);
  }
  for (let i = 0; i < width; i++) seen.add(String(i));
  return [...seen];
}

interface Cell {
  text: string;
  numeric: boolean;
}

function cellOf(row: TableRow, column: string, index: number): Cell {
  const value: unknown = isArrayRow(row) ? row[index] : typeof row === "object" && row !== null ? row[column] : undefined;
  if (typeof value === "number" || typeof value === "bigint") return { text: String(value), numeric: true };
  if (value === undefined || value === null) return { text: "", numeric: false };
  if (typeof value === "string") return { text: value, numeric: false };
  return { text: inspect(value, { breakLength: Infinity, depth: 2, maxArrayLength: 10 }), numeric: false };
}

function isArrayRow(row: TableRow): row is ReadonlyArray<unknown> {
  return Array.isArray(row);
}

function tableHtml(columns: string[], cells: Cell[][], more: number): string {
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = cells
    .map((r) => "<tr>" + r.map((c) => `<td${c.numeric ? ' style="text-align:right"' : ""}>${escapeHtml(c.text)}</td>`).join("") + "</tr>")
    .join("\n");
  const note = more > 0 ? `\n<p class="phasor-table-note">… ${more} more row${more === 1 ? "" : "s"} not shown</p>` : "";
  return `<table class="phasor-table">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>${note}`;
}

function tableText(columns: string[], cells: Cell[][], more: number): string {
  const flat = (s: string): string => s.replace(/\r?\n/g, "\\n");
  const widths = columns.map((c, i) => cells.reduce((w, r) => Math.max(w, flat(r[i].text).length), flat(c).length));
  const line = (texts: string[], numeric: boolean[]): string =>
    texts.map((t, i) => (numeric[i] ? flat(t).padStart(widths[i]) : flat(t).padEnd(widths[i]))).join("  ").trimEnd();
  const out = [line(columns, columns.map(() => false)), widths.map((w) => "-".repeat(w)).join("  ")];
  for (const r of cells) out.push(line(r.map((c) => c.text), r.map((c) => c.numeric)));
  if (more > 0) out.push(`… ${more} more row${more === 1 ? "" : "s"} not shown`);
  return out.join("\n");
}
