/**
 * The reference simulator: the oracle every other engine is checked against.
 *
 * Semantics
 * - Discrete time, steps t = 0..T-1 of dt seconds; step t takes input sample t.
 * - Nodes run in the evaluation order of analyseGraph. A node's input is the sum over its
 *   incoming edges of the source's output at this step, except recurrent edges (those that
 *   close a loop), which deliver the source's output of the previous step (zero at t = 0).
 *   A loop therefore has exactly one step of delay, plus any Delay nodes on it.
 * - Neurons follow NIR's ODEs. Forward Euler takes every derivative from the old state and the
 *   current input: LIF/LI v += dt/tau ((v_leak - v) + r I); I/IF v += dt r I;
 *   CubaLI/CubaLIF v += dt/tau_mem ((v_leak - v) + r i_old), i += dt/tau_syn (-i + w_in I);
 *   MultiCubaLIF (extension) i_p += dt/tau_syn[p] (-i_p + I_p) per port p (edge.port, default 0)
 *   and v uses the sum of the old i_p (current 'updated': of the new i_p, so the input of step t
 *   reaches v at step t, as snnTorch, Rockpool and lava-dl order it). 'exact' solves the linear ODEs over dt with the input
 *   held constant over the step (zero-order hold); see exact.ts for the closed forms (I and IF
 *   are already exact under Euler).
 * - Neurons start at rest: v = v_leak (0 for I and IF), currents 0; `init` overrides.
 * - Spike when v > v_threshold (strict); then reset: 'zero' sets v = v_reset (0 when absent),
 *   'subtract' does v -= v_threshold. Spiking nodes output 1 or 0; non-spiking neurons output v.
 *   With spikes 'multiple' (Rockpool, Sinabs) a neuron fires n = floor(v / v_threshold) spikes when
 *   v >= v_threshold, outputs n, and 'subtract' does v -= n * v_threshold.
 * - Refractory (t_ref, extension): for round(t_ref/dt) steps after a spike, v is held at v_reset
 *   (whatever the reset mode) and no spike is emitted; synaptic currents keep integrating. The
 *   earliest next spike is at step t_spike + round(t_ref/dt) + 1 (Brian2 allows t_spike + round(t_ref/dt)).
 * - Threshold: x > threshold. Delay: out[t] = in[t - round(delay/dt)] per element (0 before).
 *   Affine, Linear (W is [out, in]), Scale, Conv1d, Conv2d (stride, padding, dilation, groups,
 *   bias; [C, H, W] samples in C order), SumPool2d, AvgPool2d (sum / (kh kw), padding counted as
 *   zeros), Flatten (a reshape) and Output (identity) are evaluated at every step.
 * - SparseProjection (extension), event-driven: each presynaptic element with a nonzero input x
 *   adds w x to each of its targets at step t + round(delay/dt) (now, without delays).
 * - dtype 'float32' keeps inputs, parameters, state and every stored result in Float32Array
 *   (sums inside one matrix product or convolution accumulate in float64, then round).
 * - Recording: spikes of every spiking node always; state (v, i or i0.., spike, out) of the
 *   nodes in `record`; values of the top-level Output nodes always. Arrays are [T, B, N].
 * - A batch-1 input is broadcast to every batch entry; batch entries never interact.
 */
import type { Graph } from "../graph.js";
import { analyseGraph } from "../validate.js";
import { resolveOptions } from "./options.js";
import { compilePlan } from "./plan.js";
import { makeRecorder } from "./record.js";
import type { SimOptions, SimResult } from "./types.js";

/** Thrown when `signal` aborts a run. */
export class SimAbortError extends Error {
  override readonly name = "AbortError";
}

/** How often (in steps) the abort signal is checked. */
const CHECK_EVERY = 16;

/** A prepared run: advance it in slices, then collect the result. */
interface Run {
  steps: number;
  /** Runs steps [from, to); throws SimAbortError when aborted. */
  advance(from: number, to: number): void;
  result(): SimResult;
}

function prepare(graph: Graph, opts: SimOptions): Run {
  const g = analyseGraph(graph);
  const o = resolveOptions(opts, g);
  const plan = compilePlan(g, o, opts.init);
  const rec = makeRecorder(plan, g, o);
  const { steps } = o;
  const { signal, onProgress } = opts;
  const progressEvery = Math.max(1, Math.floor(steps / 100));
  const check = (t: number) => {
    if (signal?.aborted) throw new SimAbortError(`simulation aborted at step ${t} of ${steps}`);
  };
  check(0);
  return {
    steps,
    advance(from, to) {
      for (let t = from; t < to; t++) {
        if (t % CHECK_EVERY === 0) check(t);
        plan.step(t);
        rec.capture(t);
        if (onProgress && ((t + 1) % progressEvery === 0 || t + 1 === steps)) onProgress(t + 1, steps);
      }
    },
    result: () => ({ dt: o.dt, steps, batch: o.batch, ...rec.result(), shapes: g.shapes }),
  };
}

/** Runs `graph` for T steps of dt seconds (semantics above); throws PhasorError on bad graphs or options. */
export function simulate(graph: Graph, opts: SimOptions): SimResult {
  const run = prepare(graph, opts);
  run.advance(0, run.steps);
  return run.result();
}

/** Like simulate, but yields to the event loop every ~20 ms so that an AbortSignal fired from a timer or message can stop it. */
export async function simulateAsync(graph: Graph, opts: SimOptions): Promise<SimResult> {
  const run = prepare(graph, opts);
  let t = 0;
  let slice = 16;
  while (t < run.steps) {
    const start = performance.now();
    const end = Math.min(run.steps, t + slice);
    run.advance(t, end);
    t = end;
    const took = performance.now() - start;
    slice = took < 10 ? slice * 2 : took > 40 ? Math.max(1, slice >> 1) : slice;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (opts.signal?.aborted) throw new SimAbortError(`simulation aborted at step ${run.steps} of ${run.steps}`);
  return run.result();
}
