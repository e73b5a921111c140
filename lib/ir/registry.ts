import { PhasorError } from "./errors.js";

/**
 * A named set of entries (magics, targets, runners, engines). Entries are registered
 * explicitly; a duplicate or unknown name is an error that lists what exists.
 */
export class Registry<T> {
  private readonly entries = new Map<string, T>();
  constructor(readonly kind: string) {}

  register(name: string, entry: T): this {
    if (this.entries.has(name)) throw new PhasorError(`${this.kind} "${name}" is already registered`, "duplicate");
    this.entries.set(name, entry);
    return this;
  }

  get(name: string): T {
    const e = this.entries.get(name);
    if (e === undefined) {
      const close = closeMatches(name, this.names());
      const hint = close.length ? ` Did you mean ${close.map((c) => `"${c}"`).join(" or ")}?` : "";
      throw new PhasorError(`unknown ${this.kind} "${name}".${hint} Known: ${this.names().join(", ")}`, "unknown");
    }
    return e;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  names(): string[] {
    return [...this.entries.keys()].sort();
  }
}

/** Names within edit distance 2 (or sharing a prefix), closest first. */
export function closeMatches(name: string, names: string[], max = 3): string[] {
  return names
    .map((n) => ({ n, d: n.startsWith(name) || name.startsWith(n) ? 0.5 : editDistance(name, n) }))
    .filter((x) => x.d <= 2)
    .sort((a, b) => a.d - b.d)
    .slice(0, max)
    .map((x) => x.n);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}
