/**
 * A VM session: a Program loaded on an engine, advanced step by step, run to the end, or run
 * until a condition holds (a neuron spikes, a router buffer overflows, a counter passes a
 * value); any layer's or core's state can be inspected between steps.
 */
import { PhasorError } from "../ir/errors.js";
import type { Program } from "../compiler/program.js";
import { loadModel, type VmModel } from "./model.js";
import { Network } from "./network.js";
import type { Engine, EngineOptions } from "./engine.js";
import { behaviouralEngine } from "./behavioural.js";
import { cycleEngine } from "./cycle/engine.js";
import { coreModelFor } from "./cores/index.js";
import { deriveCounters } from "./counters.js";
import { energyReport } from "./energy.js";
import { energyCounts } from "./energy-counts.js";
import { chipTime } from "./chip-time.js";
import { neurobench } from "./neurobench.js";
import type { Counts, EngineName, RunResult, SpikeList, VmOptions } from "./types.js";

/** A condition to stop at. */
export type Condition =
  | { spike: { layer: string; index?: number; batch?: number } }
  | { overflow: true }
  | { counter: keyof Counts; above: number; layer?: string; core?: number };

/** Session options: run options plus the engine and its parameters. */
export interface SessionOptions extends VmOptions, EngineOptions {
  engine?: EngineName;
  /** Time base of energy and power: "chip" (default: the chip's own time) or "real-time" (one dt per step, as a throttled chip runs). */
  timeBase?: "chip" | "real-time";
}

/** Thrown when `signal` aborts a run. */
export class VmAbortError extends Error {
  override readonly name = "AbortError";
}

/** State of one layer or core slice, in model units, for batch entry `batch`. */
export interface Inspection { layer: string; core: number | null; start: number; v: number[]; currents: number[][]; refractory: number[] }

/** A loaded Program on an engine. */
export class VmSession {
  readonly model: VmModel;
  readonly net: Network;
  readonly engine: Engine;
  /** Steps executed so far. */
  t = 0;
  private seconds = 0;

  constructor(program: Program, readonly options: SessionOptions = {}) {
    this.model = loadModel(program);
    this.net = new Network(this.model, options);
    const core = coreModelFor(program.target, options.coreModel);
    this.engine = options.engine === "cycle" ? cycleEngine(this.net, core, options) : behaviouralEngine(this.net, core);
  }

  /** Total steps of the run. */
  get steps(): number { return this.net.steps; }

  /** Advances n steps (stops at the end of the run); returns the steps executed. */
  step(n = 1): number {
    const to = Math.min(this.steps, this.t + n), from = this.t, t0 = performance.now();
    const every = Math.max(1, Math.floor(this.steps / 100));
    for (; this.t < to; this.t++) {
      if ((this.t & 15) === 0 && this.options.signal?.aborted) throw new VmAbortError("the VM run was aborted");
      this.engine.step(this.t);
      if (this.options.onProgress && (this.t + 1) % every === 0) this.options.onProgress(this.t + 1, this.steps);
    }
    this.seconds += (performance.now() - t0) / 1e3;
    return this.t - from;
  }

  /** Runs to the end. */
  run(): RunResult {
    this.step(this.steps - this.t);
    this.options.onProgress?.(this.t, this.steps);
    return this.result();
  }

  /** Runs to the end, yielding to the event loop between slices so an AbortSignal can fire. */
  async runAsync(slice = 64): Promise<RunResult> {
    while (this.t < this.steps) {
      this.step(slice);
      await new Promise((r) => setImmediate(r));
    }
    this.options.onProgress?.(this.t, this.steps);
    return this.result();
  }

  /** Steps until `cond` holds after a step (or the run ends); returns whether it held and at which step. */
  until(cond: Condition, maxSteps = Infinity): { met: boolean; step: number } {
    const check = this.condition(cond);
    const stop = Math.min(this.steps, this.t + maxSteps);
    while (this.t < stop) {
      this.step(1);
      if (check()) return { met: true, step: this.t - 1 };
    }
    return { met: false, step: this.t - 1 };
  }

  private condition(c: Condition): () => boolean {
    if ("spike" in c) {
      const i = this.net.layerIndex(c.spike.layer), s = this.net.states[i];
      return () => {
        for (let b = 0; b < s.B; b++) {
          if (c.spike.batch !== undefined && b !== c.spike.batch) continue;
          for (let q = 0; q < s.nspk[b]; q++) if (c.spike.index === undefined || s.spk[b * s.N + q] === c.spike.index) return true;
        }
        return false;
      };
    }
    if ("overflow" in c) {
      if (!this.engine.overflowed) throw new PhasorError("router buffers exist in the cycle-accurate engine only; use engine \"cycle\"", "engine");
      return () => this.engine.overflowed!();
    }
    if (c.layer !== undefined) this.net.layerIndex(c.layer);
    return () => {
      const k = deriveCounters(this.net, this.engine.core, this.t);
      const x = c.layer !== undefined ? k.layers[c.layer] : c.core !== undefined ? k.cores[c.core] : k.total;
      return (x?.[c.counter] ?? 0) > c.above;
    };
  }

  /** State of a layer (all neurons) or of a core (its slice), in model units. */
  inspect(what: { layer?: string; core?: number; batch?: number }): Inspection {
    let i: number, start = 0, count: number, core: number | null = null;
    if (what.core !== undefined) {
      const hit = this.model.layers.flatMap((l) => l.slices.map((s) => ({ l, s }))).find((x) => x.s.core === what.core);
      if (!hit) throw new PhasorError(`core ${what.core} is not used by this program; used cores: ${this.model.program.cores.map((c) => c.id).join(", ")}`, "unknown-core");
      i = hit.l.index; start = hit.s.start; count = hit.s.count; core = what.core;
    } else { i = this.net.layerIndex(what.layer ?? ""); count = this.model.layers[i].size; }
    const l = this.model.layers[i], s = this.net.states[i], b = what.batch ?? 0, off = b * s.N + start;
    const u = (a: Float64Array) => Array.from(a.subarray(off, off + count), (x) => x * l.scale);
    return { layer: l.name, core, start, v: u(s.v), currents: s.cur.map(u), refractory: Array.from(s.until.subarray(off, off + count), (u) => Math.max(0, u - this.t)) };
  }

  /** The result so far: spikes, records, counters, energy, NeuroBench metrics and timing. */
  result(): RunResult {
    const m = this.model, t = m.program.target;
    const counters = deriveCounters(this.net, this.engine.core, this.t);
    const cycles = this.engine.timing?.(), counts = energyCounts(this.net, this.t);
    const time = chipTime(t, { steps: this.t, batch: this.net.batch, dt: m.dt, cycles, counters, counts, realTime: this.options.timeBase === "real-time" });
    const spikes: Record<string, SpikeList> = {};
    m.layers.forEach((l, i) => {
      if (!l.spiking || l.kind !== "neuron") return;
      const log = this.net.spikeLog[i], out: SpikeList = [];
      for (let q = 0; q < log.length; q += 3) out.push(this.net.batch === 1 ? [log[q], log[q + 2]] : [log[q], log[q + 1], log[q + 2]]);
      spikes[l.name] = out;
    });
    return {
      engine: this.engine.name, target: t.name, dt: m.dt, steps: this.t, batch: this.net.batch, spikes, records: this.net.records, outputs: this.net.outputs,
      mesh: { width: t.mesh.width, height: t.mesh.height }, cores: m.program.cores.map((c) => ({ id: c.id, x: c.x, y: c.y, layer: c.layer })),
      counters, energy: energyReport(t, counters, time, counts), neurobench: neurobench(m, counters, this.net), cycles, seconds: this.seconds,
    };
  }
}

/** Runs a Program to the end on the chosen engine. */
export function runProgram(program: Program, options: SessionOptions = {}): RunResult {
  return new VmSession(program, options).run();
}
