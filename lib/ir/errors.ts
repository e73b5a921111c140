/** One problem found in user input: what kind, where (node, field, line) and what to do. */
export interface Issue {
  code: string;
  /** Where the problem is: node names, field names, line numbers, from outer to inner. */
  path: (string | number)[];
  message: string;
}

/** The one error type for user mistakes; carries every issue found, not just the first. */
export class PhasorError extends Error {
  override readonly name = "PhasorError";
  readonly issues: Issue[];
  constructor(issues: Issue[] | string, code = "invalid") {
    const list = typeof issues === "string" ? [{ code, path: [], message: issues }] : issues;
    super(formatIssues(list));
    this.issues = list;
  }
  /** The first issue's code (every issue keeps its own). */
  get code(): string {
    return this.issues[0]?.code ?? "invalid";
  }
}

/** Renders issues one per line, `path: message`. */
export function formatIssues(issues: Issue[]): string {
  if (issues.length === 1) return formatIssue(issues[0]);
  return `${issues.length} problems:\n` + issues.map((i) => "  - " + formatIssue(i)).join("\n");
}

function formatIssue(i: Issue): string {
  const where = i.path.length ? i.path.join(".") + ": " : "";
  return where + i.message;
}

/** Collects issues while parsing or validating, then throws them all at once. */
export class IssueList {
  readonly issues: Issue[] = [];
  add(code: string, path: (string | number)[], message: string): void {
    this.issues.push({ code, path, message });
  }
  get ok(): boolean {
    return this.issues.length === 0;
  }
  throwIfAny(): void {
    if (this.issues.length) throw new PhasorError(this.issues);
  }
}

export function isPhasorError(e: unknown): e is PhasorError {
  return e instanceof Error && e.name === "PhasorError" && Array.isArray((e as PhasorError).issues);
}
