/**
 * A job queue fair between clients: one FIFO per client, and the next job always comes from
 * the waiting client served longest ago (a client never served comes first, in arrival
 * order). A client with a hundred queued jobs, one of them running, never starts another
 * before a newly arrived client's first job.
 */

/** Anything queued: the client it belongs to and its id. */
export interface Queued { client: string; job: string }

/** Least-recently-served over per-client FIFOs. */
export class FairQueue<T extends Queued> {
  private readonly lanes = new Map<string, T[]>();
  /** When each client last had a job taken (a counter); clients absent have never been served. */
  private readonly served = new Map<string, number>();
  private clock = 0;
  private waiting = 0;

  /** Jobs waiting (not running). */
  get size(): number {
    return this.waiting;
  }

  /** Adds a job at the back of its client's lane; returns its position in the service order (0 = next). */
  push(item: T): number {
    const lane = this.lanes.get(item.client);
    if (lane) lane.push(item);
    else this.lanes.set(item.client, [item]);
    this.waiting++;
    return this.positionOf(item.job);
  }

  /** The next job: the head of the lane of the client served longest ago. */
  shift(): T | undefined {
    const c = this.order()[0];
    if (c === undefined) return undefined;
    const lane = this.lanes.get(c)!, item = lane.shift()!;
    if (!lane.length) this.lanes.delete(c);
    this.served.set(c, ++this.clock);
    this.waiting--;
    return item;
  }

  /** Removes one job; returns it when it was waiting. */
  remove(job: string): T | undefined {
    for (const [c, lane] of this.lanes) {
      const k = lane.findIndex((x) => x.job === job);
      if (k < 0) continue;
      const [item] = lane.splice(k, 1);
      if (!lane.length) this.lanes.delete(c);
      this.waiting--;
      return item;
    }
    return undefined;
  }

  /** Removes and returns the waiting jobs for which `pred` holds. */
  removeWhere(pred: (item: T) => boolean): T[] {
    const out: T[] = [];
    for (const [c, lane] of this.lanes) {
      const keep = lane.filter((x) => !pred(x));
      if (keep.length === lane.length) continue;
      out.push(...lane.filter(pred));
      if (keep.length) this.lanes.set(c, keep);
      else this.lanes.delete(c);
    }
    this.waiting -= out.length;
    return out;
  }

  /** Forgets when a client was served (it left). */
  forgetClient(client: string): void {
    if (!this.lanes.has(client)) this.served.delete(client);
  }

  /** Waiting jobs of a client. */
  countOf(client: string): number {
    return this.lanes.get(client)?.length ?? 0;
  }

  /** Where a job would be served: the number of jobs that go before it (-1 when it is not waiting). */
  positionOf(job: string): number {
    return this.items().findIndex((x) => x.job === job);
  }

  /** Every waiting job in service order, without removing any. */
  items(): T[] {
    const lanes = this.order().map((c) => this.lanes.get(c)!), out: T[] = [];
    const longest = Math.max(0, ...lanes.map((l) => l.length));
    for (let round = 0; round < longest; round++) for (const l of lanes) if (round < l.length) out.push(l[round]);
    return out;
  }

  /** Every waiting job, in service order, removed. */
  drain(): T[] {
    const out = this.items();
    this.lanes.clear();
    this.waiting = 0;
    return out;
  }

  /** Clients with waiting jobs, served longest ago first (never served first, in arrival order). */
  private order(): string[] {
    const when = (c: string) => this.served.get(c) ?? -1;
    return [...this.lanes.keys()].sort((a, b) => when(a) - when(b));
  }
}
