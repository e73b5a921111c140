/**
 * A progress display's content (label, fraction done) as text and as HTML; the kernel's
 * display layer sends it and replaces it with update_display_data as work advances.
 */

/** The state a progress display shows. */
export interface ProgressState {
  label: string;
  /** Fraction done, 0..1 (clamped; NaN counts as 0). */
  fraction: number;
  /** True once the work has finished (or stopped). */
  done?: boolean;
  /** Replaces the percentage when done, e.g. "done in 3.2 s" or "stopped". */
  note?: string;
}

/** Clamps a fraction to [0, 1], mapping NaN and non-numbers to 0. */
export function clampFraction(fraction: number): number {
  if (!(fraction > 0)) return 0;
  return fraction > 1 ? 1 : fraction;
}

/** Whole percent shown for a fraction (never shows 100% before it is done). */
export function percent(fraction: number): number {
  const f = clampFraction(fraction);
  return f >= 1 ? 100 : Math.min(99, Math.floor(f * 100));
}

/** One line for terminals and text/plain: `label [#######.............]  35%`. */
export function progressText(p: ProgressState, width = 30): string {
  const f = p.done ? 1 : clampFraction(p.fraction);
  const filled = Math.round(f * width);
  const bar = "#".repeat(filled) + ".".repeat(width - filled);
  const tail = p.done ? (p.note ?? "done") : `${String(percent(f)).padStart(3)}%`;
  return `${p.label} [${bar}] ${tail}`;
}

/** A small self-contained HTML progress bar (no scripts, so it renders anywhere HTML does). */
export function progressHtml(p: ProgressState): string {
  const f = p.done ? 1 : clampFraction(p.fraction);
  const tail = p.done ? (p.note ?? "done") : `${percent(f)}%`;
  const colour = p.done ? "#2ca02c" : "#1f77b4";
  return (
    `<div class="phasor-progress" style="font-family:sans-serif;font-size:13px;display:flex;align-items:center;gap:8px">` +
    `<span>${escapeHtml(p.label)}</span>` +
    `<span style="display:inline-block;width:240px;height:10px;background:#e5e5e5;border-radius:5px;overflow:hidden">` +
    `<span style="display:block;height:100%;width:${(f * 100).toFixed(1)}%;background:${colour}"></span></span>` +
    `<span>${escapeHtml(tail)}</span></div>`
  );
}

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
