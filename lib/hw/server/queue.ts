/**
 * A job queue fair between clients: one FIFO per client, served round-robin, so a client
 * that submits a hundred jobs delays another client's next job by at most one job.
 */

/** Anything queued: the client it belongs to and its id. */
export interface Queued { client: string; job: string }

/** Round-robin over per-client FIFOs. */
export class FairQueue<T extends Queued> {
  private readonly lanes = new Map<string, T[]>();
  /** Clients in service order; the next job comes from the first client with work. */
  private order: string[] = [];

  /** Jobs waiting (not running). */
  get size(): number {
    let n = 0;
    for (const l of this.lanes.values()) n += l.length;
    return n;
  }

  /** Adds a job at the back of its client's lane; returns its position in the overall service order (0 = next). */
  push(item: T): number {
    let lane = this.lanes.get(item.client);
    if (!lane) { lane = []; this.lanes.set(item.client, lane); this.order.push(item.client); }
    lane.push(item);
    return this.positionOf(item.job);
  }

  /** The next job, rotating its client to the back. */
  shift(): T | undefined {
    for (let k = 0; k < this.order.length; k++) {
      const c = this.order[k], lane = this.lanes.get(c)!;
      if (!lane.length) continue;
      const item = lane.shift()!;
      this.order.splice(k, 1);
      if (lane.length) this.order.push(c); else this.lanes.delete(c);
      return item;
    }
    return undefined;
  }

  /** Removes one job; returns it when it was waiting. */
  remove(job: string): T | undefined {
    for (const [c, lane] of this.lanes) {
      const k = lane.findIndex((x) => x.job === job);
      if (k < 0) continue;
      const [item] = lane.splice(k, 1);
      if (!lane.length) { this.lanes.delete(c); this.order = this.order.filter((x) => x !== c); }
      return item;
    }
    return undefined;
  }

  /** Removes and returns every job of a client. */
  removeClient(client: string): T[] {
    const lane = this.lanes.get(client) ?? [];
    this.lanes.delete(client);
    this.order = this.order.filter((x) => x !== client);
    return lane;
  }

  /** Waiting jobs of a client. */
  countOf(client: string): number {
    return this.lanes.get(client)?.length ?? 0;
  }

  /** Where a job would be served: the number of jobs that go before it (-1 when it is not waiting). */
  positionOf(job: string): number {
    return this.items().findIndex((x) => x.job === job);
  }

  /** Every waiting job in service order (round-robin over clients), without removing any. */
  items(): T[] {
    const lanes = this.order.map((c) => this.lanes.get(c)!), out: T[] = [];
    const longest = Math.max(0, ...lanes.map((l) => l.length));
    for (let round = 0; round < longest; round++) for (const l of lanes) if (round < l.length) out.push(l[round]);
    return out;
  }

  /** Every waiting job, in service order. */
  drain(): T[] {
    const out: T[] = [];
    for (let x = this.shift(); x; x = this.shift()) out.push(x);
    return out;
  }
}
