/**
 * Captures process.stdout / process.stderr in the child and forwards them as stream
 * events, batched, with a per-cell cap ($PHASOR_MAX_OUTPUT bytes, default 8 MB) so that a
 * cell printing 50 MB cannot flood the front end or the kernel's memory.
 */

/** Where captured text goes. */
export type StreamSend = (name: "stdout" | "stderr", text: string) => void;

const FLUSH_AT = 256 * 1024;

/** Forwards the child's stdout/stderr, batched and capped. */
export class OutputCapture {
  private segments: { name: "stdout" | "stderr"; text: string }[] = [];
  private pending = 0;
  private used = 0;
  private dropped = 0;
  private scheduled = false;

  constructor(private readonly send: StreamSend, private readonly maxBytes = envLimit()) {}

  /** Replaces process.stdout.write and process.stderr.write. */
  install(): void {
    for (const name of ["stdout", "stderr"] as const) {
      const stream = process[name];
      stream.write = ((chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
        const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
        this.write(name, text);
        const done = typeof encoding === "function" ? encoding : cb;
        if (typeof done === "function") process.nextTick(done as () => void);
        return true;
      }) as typeof stream.write;
    }
  }

  /** Starts a new cell's budget. */
  beginCell(): void {
    this.flush();
    this.used = 0;
    this.dropped = 0;
  }

  /** Queues text for a stream. */
  write(name: "stdout" | "stderr", text: string): void {
    if (text.length === 0) return;
    const room = this.maxBytes - this.used;
    if (room <= 0) {
      this.dropped += text.length;
      return;
    }
    if (text.length > room) {
      this.dropped += text.length - room;
      text = text.slice(0, room);
    }
    this.used += text.length;
    const last = this.segments[this.segments.length - 1];
    if (last && last.name === name) last.text += text;
    else this.segments.push({ name, text });
    this.pending += text.length;
    if (this.pending >= FLUSH_AT) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Sends everything queued; at the end of a cell, notes how much was cut. */
  flush(endOfCell = false): void {
    this.scheduled = false;
    const segs = this.segments;
    this.segments = [];
    this.pending = 0;
    for (const s of segs) this.send(s.name, s.text);
    if (endOfCell && this.dropped > 0) {
      const mb = (this.dropped / 1e6).toFixed(1);
      this.send("stderr", `\n[output truncated: ${mb} MB more were not shown; the limit is PHASOR_MAX_OUTPUT=${this.maxBytes} characters per cell]\n`);
      this.dropped = 0;
    }
  }
}

function envLimit(): number {
  const v = Number(process.env.PHASOR_MAX_OUTPUT);
  return Number.isFinite(v) && v > 0 ? v : 8_000_000;
}
