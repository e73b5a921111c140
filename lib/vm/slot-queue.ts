/**
 * Per-slot queues of a layer's input ring: instead of adding an event's value into the ring at
 * its arrival slot when the event is scattered (a random write into all D slots of the ring),
 * the (offset, value) pair is appended to that slot's queue, and the queue is added into the
 * slot just before the slot is read. Each ring entry receives the same additions in the same
 * order either way, so the sums are the same bit for bit; the appends are sequential writes,
 * and only the slot being read is written at random, which stays in cache where all D slots of a
 * large layer do not (the full-scale microcircuit's rings hold 36 MB).
 *
 * A slot's entries live in a chain of fixed-size blocks taken from one pool and returned to it when
 * the slot is drained, so memory follows the entries pending at once, not D times the largest slot.
 * The pool is capped (twice the ring's bytes): when a burst of spikes would take more, every slot's
 * queue is added into its ring slot early ("flushed"), which keeps each entry's additions in order,
 * so the sums are still the same; only the burst's writes are random, as without queues.
 */

/** Entries per block. */
export const BLOCK = 1024;

/** Queued additions of one ring: per slot a chain of blocks of (offset within the slot's plane, value). */
export class SlotQueues {
  /** Offsets and values of block b at [b x BLOCK, (b + 1) x BLOCK). */
  at: Int32Array;
  val: Float64Array;
  /** Per block, the next block of its slot's chain (-1: last), or the next free block. */
  private next: Int32Array;
  private free = -1;
  private freeCount = 0;
  /** Per slot: first and last (filling) block of its chain, and entries in the last one. */
  readonly head: Int32Array;
  readonly tail: Int32Array;
  readonly pos: Int32Array;

  /** Blocks the pool may hold before it flushes instead of growing. */
  private readonly maxBlocks: number;
  /** Times the pool was flushed for room (a burst took more than the cap). */
  flushes = 0;

  /** Queues for the D slots of `ring` (slot d at [d x S, (d + 1) x S)). */
  constructor(readonly D: number, private readonly ring: Float64Array, private readonly S: number) {
    // Entries are 12 bytes; twice the ring's bytes, and at least 4 blocks per slot.
    this.maxBlocks = Math.max(4 * D, Math.ceil((2 * ring.byteLength) / (12 * BLOCK)));
    this.at = new Int32Array(0);
    this.val = new Float64Array(0);
    this.next = new Int32Array(0);
    this.reserve(2 * D);
    this.head = new Int32Array(D);
    this.tail = new Int32Array(D);
    this.pos = new Int32Array(D);
    for (let d = 0; d < D; d++) this.head[d] = this.tail[d] = this.take();
  }

  /** Makes sure n entries can be appended (to any slots) without the pool growing: call before a row's loop. */
  room(n: number): void {
    const need = Math.ceil(n / BLOCK) + this.D;
    if (this.freeCount >= need) return;
    if (this.next.length + need - this.freeCount > this.maxBlocks) this.flush();
    if (this.freeCount < need) this.reserve(need - this.freeCount);
  }

  /** Adds every slot's entries into its ring slot now (their order kept), freeing all blocks but one per slot. */
  flush(): void {
    this.flushes++;
    for (let d = 0; d < this.D; d++) this.drain(d, this.ring.subarray(d * this.S, (d + 1) * this.S));
  }

  /** Starts a new block at the end of slot d's chain (the pool has a free one: see room); returns its first entry's index. */
  extend(d: number): number {
    const b = this.take();
    this.next[this.tail[d]] = b;
    this.tail[d] = b;
    this.pos[d] = 0;
    return b * BLOCK;
  }

  /** Adds slot d's entries into `plane` in the order queued, then empties the slot (its blocks back to the pool but one). */
  drain(d: number, plane: Float64Array): void {
    const at = this.at, val = this.val, last = this.tail[d];
    for (let b = this.head[d]; ; ) {
      const e = b * BLOCK + (b === last ? this.pos[d] : BLOCK);
      for (let q = b * BLOCK; q < e; q++) plane[at[q]] += val[q];
      if (b === last) break;
      const nb = this.next[b];
      this.give(b);
      b = nb;
    }
    this.head[d] = last;
    this.next[last] = -1;
    this.pos[d] = 0;
  }

  /** Bytes held by the pool. */
  bytes(): number {
    return this.at.byteLength + this.val.byteLength + this.next.byteLength;
  }

  private take(): number {
    const b = this.free;
    this.free = this.next[b];
    this.freeCount--;
    this.next[b] = -1;
    return b;
  }

  private give(b: number): void {
    this.next[b] = this.free;
    this.free = b;
    this.freeCount++;
  }

  /** Adds at least n free blocks (the pool at least doubles), the queued entries kept where they are. */
  private reserve(n: number): void {
    const old = this.next.length, size = Math.max(old + n, Math.min(2 * old, this.maxBlocks));
    const at = new Int32Array(size * BLOCK), val = new Float64Array(size * BLOCK), next = new Int32Array(size);
    at.set(this.at);
    val.set(this.val);
    next.set(this.next);
    this.at = at;
    this.val = val;
    this.next = next;
    for (let b = size - 1; b >= old; b--) this.give(b);
  }
}
