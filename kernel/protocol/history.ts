/**
 * Execution history kept across kernel restarts, in a JSON-lines file
 * ($PHASOR_HISTORY_FILE, else $XDG_DATA_HOME/phasor/history.jsonl, else
 * ~/.local/share/phasor/history.jsonl). Sessions are numbered; lines count from 1.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { ContentMap, HistoryEntry } from "./messages.js";

interface Record_ {
  session: number;
  line: number;
  source: string;
  output: string | null;
}

/** The query a history_request makes (its content, less `raw`: sources are stored as typed). */
export type HistoryQuery = Omit<ContentMap["history_request"], "raw">;

const KEEP = 10_000;

/** The default history file. */
export function defaultHistoryFile(): string {
  if (process.env.PHASOR_HISTORY_FILE) return process.env.PHASOR_HISTORY_FILE;
  const data = process.env.XDG_DATA_HOME || join(homedir(), ".local", "share");
  return join(data, "phasor", "history.jsonl");
}

/**
 * Reads, appends and queries the history; file errors are logged, never thrown. A new
 * record is in memory at once and on disk at the end of the event-loop turn (after the
 * execute_reply has gone out), or at close().
 */
export class History {
  private readonly records: Record_[] = [];
  private unwritten: string[] = [];
  private dirMade = false;
  /** This kernel run's session number. */
  readonly session: number;

  constructor(private readonly file: string | null = defaultHistoryFile(), private readonly log: (s: string) => void = () => {}) {
    this.load();
    this.session = this.records.reduce((m, r) => Math.max(m, r.session), 0) + 1;
  }

  private load(): void {
    if (!this.file) return;
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch {
      return;
    }
    for (const line of text.split("\n")) {
      if (!line) continue;
      try {
        const r = JSON.parse(line) as Record_;
        if (typeof r.session === "number" && typeof r.line === "number" && typeof r.source === "string") this.records.push(r);
      } catch {
        // a torn last line after a crash: skip it
      }
    }
    if (this.records.length > KEEP) {
      this.records.splice(0, this.records.length - KEEP);
      this.rewrite();
    }
  }

  private rewrite(): void {
    if (!this.file) return;
    try {
      writeFileSync(this.file, this.records.map((r) => JSON.stringify(r) + "\n").join(""));
    } catch (e) {
      this.log(`history: cannot rewrite ${this.file}: ${(e as Error).message}`);
    }
  }

  /** Records one executed cell of this session. */
  add(line: number, source: string, output: string | null): void {
    const r: Record_ = { session: this.session, line, source, output };
    this.records.push(r);
    if (!this.file) return;
    if (!this.unwritten.length) setImmediate(() => this.close());
    this.unwritten.push(JSON.stringify(r) + "\n");
  }

  /** Writes what add() has queued (the kernel calls it before it exits). */
  close(): void {
    const lines = this.unwritten.join("");
    this.unwritten = [];
    if (!this.file || !lines) return;
    try {
      if (!this.dirMade) mkdirSync(dirname(this.file), { recursive: true });
      this.dirMade = true;
      appendFileSync(this.file, lines);
    } catch (e) {
      this.log(`history: cannot write ${this.file}: ${(e as Error).message}`);
    }
  }

  /** Answers a history_request. */
  query(q: HistoryQuery): HistoryEntry[] {
    let rows: Record_[];
    if (q.hist_access_type === "tail") rows = this.records.slice(-Math.max(0, q.n));
    else if (q.hist_access_type === "range") rows = this.range(q);
    else rows = this.search(q);
    return rows.map((r) => (q.output ? [r.session, r.line, [r.source, r.output]] : [r.session, r.line, r.source]));
  }

  private range(q: HistoryQuery): Record_[] {
    // session 0 (or absent) is this one; negative counts back from it, as IPython does.
    const session = q.session > 0 ? q.session : this.session + q.session;
    const mine = this.records.filter((r) => r.session === session);
    const stop = q.stop > 0 ? q.stop : Infinity;
    return mine.filter((r) => r.line >= q.start && r.line < stop);
  }

  private search(q: HistoryQuery): Record_[] {
    const re = globToRegExp(q.pattern || "*");
    let hits = this.records.filter((r) => re.test(r.source));
    if (q.unique) {
      const seen = new Set<string>();
      const out: Record_[] = [];
      for (let i = hits.length - 1; i >= 0; i--) {
        if (!seen.has(hits[i].source)) out.unshift(hits[i]);
        seen.add(hits[i].source);
      }
      hits = out;
    }
    return q.n > 0 ? hits.slice(-q.n) : hits;
  }
}

/** A glob (`*`, `?`) that must match the whole text, like SQLite's GLOB that IPython uses. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]");
  return new RegExp(`^${body}$`);
}
