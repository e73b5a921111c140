/**
 * A core's input side (docs/cycle-models.md, "The core pipeline"): the input queue, then axon in,
 * synapse and dendrite, each serving one message at a time with a bounded FIFO before it and
 * blocking after service. With messages numbered in the order they enter, every start and
 * departure time follows from earlier messages', so they are computed when a message enters:
 *   S1(m) = max(e(m), D1(m-1)),  D1(m) = max(S1(m) + axonIn, S2(m-q))
 *   S2(m) = max(D1(m), D2(m-1)), D2(m) = max(S2(m) + synapse(n), S3(m-q))
 *   S3(m) = max(D2(m), D3(m-1)), D3(m) = S3(m) + dendrite(n)
 * and message m may enter only once S1(m-q) <= now (fewer than q waiting).
 */
import type { Kernel } from "./kernel.js";
import type { Packet, Sink } from "./noc.js";

/** Stage costs in ticks. */
export interface InputCosts { axonIn: number; synMsg: number; synSyn: number; dendSyn: number }

/** The input side of one core. */
export class InputSide implements Sink {
  private m = 0;
  private readonly s1: Float64Array;
  private readonly s2: Float64Array;
  private readonly s3: Float64Array;
  private d1 = 0;
  private d2 = 0;
  /** Departure of the last message from the dendrite (the core's input work ends there). */
  d3 = 0;
  /** Busy ticks of the three stages, and messages and synapses received. */
  busy = 0;
  messages = 0;

  constructor(private readonly kernel: Kernel, readonly core: number, private readonly q: number, private readonly c: InputCosts,
    private readonly onToken: (core: number, unit: number, at: number) => void, private readonly onStall: () => void) {
    this.s1 = new Float64Array(q).fill(-Infinity);
    this.s2 = new Float64Array(q).fill(-Infinity);
    this.s3 = new Float64Array(q).fill(-Infinity);
  }

  offer(p: Packet, now: number, retry: () => void): boolean {
    const slot = this.m % this.q, free = this.s1[slot];
    if (free > now) { this.onStall(); this.kernel.at(free, retry); return false; }
    const n = synapsesFor(p, this.core), c = this.c;
    const tIn = p.token ? 0 : c.axonIn, tSyn = p.token ? 0 : c.synMsg + n * c.synSyn, tDen = p.token ? 0 : n * c.dendSyn;
    const S1 = Math.max(now, this.d1), D1 = Math.max(S1 + tIn, this.s2[slot]);
    const S2 = Math.max(D1, this.d2), D2 = Math.max(S2 + tSyn, this.s3[slot]);
    const S3 = Math.max(D2, this.d3), D3 = S3 + tDen;
    this.s1[slot] = S1; this.s2[slot] = S2; this.s3[slot] = S3;
    this.d1 = D1; this.d2 = D2; this.d3 = D3;
    this.m++;
    this.busy += tIn + tSyn + tDen;
    if (p.token) this.onToken(this.core, p.unit, D3); else this.messages++;
    return true;
  }
}

/** Synapses packet p reaches on core c. */
function synapsesFor(p: Packet, c: number): number {
  // Stryker disable next-line ConditionalExpression: a one-destination packet reaches only its destination, which indexOf finds at 0
  if (p.dsts.length === 1) return p.syn[0];
  const i = p.dsts.indexOf(c);
  return i < 0 ? 0 : p.syn[i];
}
