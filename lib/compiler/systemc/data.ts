/**
 * The run-time data of a generated SystemC model: program.dat (the loaded Program: per layer
 * the neuron parameters as the engines hold them, per projection the CSR synapses, the cores and
 * the mesh) and the input file format the standalone model reads. Both are plain text, one
 * record per line, numbers in the shortest decimal form that reads back to the same double.
 */
import { createHash } from "node:crypto";
import { PhasorError } from "../../ir/errors.js";
import type { Program } from "../program.js";
import { serializeProgram } from "../serialize.js";
import type { ScModel, ScLayer, ScProjection, ScTiming } from "./types.js";

/** First line of program.dat and of an input file. */
export const DATA_MAGIC = "phasor-systemc-program 1";
export const INPUT_MAGIC = "phasor-systemc-input 1";

/** sha256 of the Program's serialised form (JSON text then blob bytes), as lib/hw's programHash. */
export function programSha256(p: Program): string {
  const { json, bin } = serializeProgram(p);
  return createHash("sha256").update(json).update(bin).digest("hex");
}

/** A number as C's strtod reads it back bit for bit (shortest round trip; -0, inf kept). */
export function num(x: number): string {
  if (Object.is(x, -0)) return "-0";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Number.isNaN(x)) return "nan";
  return String(x);
}

/** A name as one whitespace-free token (percent-encoded). */
export function token(name: string): string {
  return encodeURIComponent(name);
}

const list = (a: ArrayLike<number>) => Array.from(a, num).join(" ");
const row = (key: string, a: ArrayLike<number>) => `${key} ${a.length}${a.length ? " " + list(a) : ""}`;

function layerLines(l: ScLayer): string[] {
  const head = [
    `layer ${l.index} ${token(l.name)} ${l.kind} ${l.partition === "chip" ? "chip" : "host"} ${l.arith}`,
    `size ${l.size} spiking ${+l.spiking} output ${+l.output} cuba ${+l.cuba} ports ${l.ports} rings ${l.rings}`,
    `decayBits ${l.decayBits} smax ${num(l.smax)} scale ${num(l.scale)} integral ${+l.integralInput}`,
    row("ringExp", l.ringExp),
    `slices ${l.slices.length}${l.slices.map((s) => ` ${s.core} ${s.start} ${s.count}`).join("")}`,
  ];
  if (l.kind === "input") return [...head, "end-layer"];
  const sched = l.biasSchedule.length ? l.biasSchedule : [{ from: 0, ports: [l.bias] }];
  return [
    ...head,
    row("decayV", l.decayV),
    `decayI ${l.decayI.length}`, ...l.decayI.map((d) => row("port", d)),
    row("threshold", l.threshold), row("vReset", l.vReset), row("vRest", l.vRest), row("refractory", l.refractory),
    `biasSchedule ${sched.length}`,
    ...sched.flatMap((e) => [`from ${e.from} ports ${e.ports.length}`, ...e.ports.map((b) => row("port", b))]),
    "end-layer",
  ];
}

function projectionLines(p: ScProjection): string[] {
  if (p.rows) {
    const why = `the SystemC model does not run procedural projections (${p.name}); compile with connectivity: "materialised"`;
    throw new PhasorError(why, "procedural");
  }
  return [
    `projection ${p.index} ${token(p.name)} src ${p.src} dst ${p.dst} port ${p.port} ring ${p.ring}` +
      ` weightExp ${p.weightExp} lag ${p.lag}`,
    row("indptr", p.indptr), row("indices", p.indices), row("weight", p.weight), row("delay", p.delay ?? []),
    "end-projection",
  ];
}

function timingLines(t: ScTiming): string[] {
  return Object.keys(t).sort().map((k) => `timing ${k} ${num(t[k as keyof ScTiming] as number)}`);
}

/** The text of program.dat for a Program and its loaded model. */
export function programData(p: Program, m: ScModel, hash: string, timing: ScTiming): string {
  const t = p.target;
  const lines = [
    DATA_MAGIC,
    `hash ${hash}`,
    `target ${token(t.name)}`,
    `mesh ${t.mesh.width} ${t.mesh.height} multicast ${+t.mesh.multicast}`,
    `dt ${num(p.options.dt)} subtract ${+(p.options.reset === "subtract")}`,
    ...timingLines(timing),
    `cores ${p.cores.length}`,
    ...p.cores.map((c) => `core ${c.id} ${c.x} ${c.y}`),
    `layers ${m.layers.length}`,
    ...m.layers.flatMap(layerLines),
    `projections ${m.projections.length}`,
    ...m.projections.flatMap(projectionLines),
    "end",
  ];
  return lines.join("\n") + "\n";
}

/** Initial state of one variable of a layer (v, i, i0, i1, ...), as the layer's codes. */
export interface ScInit { layer: string; variable: string; codes: ArrayLike<number> }

/** One input layer's events: [step, index] with a value each (1 when absent). */
export interface ScInputEvents { layer: string; events: Array<[number, number]>; values?: number[] }

/** The text of an input file: steps, initial state codes (layer, variable, values) and input events in step order. */
export function inputData(steps: number, inputs: ScInputEvents[], init: ScInit[] = []): string {
  const ev: Array<{ t: number; layer: string; k: number; x: number }> = [];
  for (const i of inputs) i.events.forEach(([t, k], e) => ev.push({ t, layer: i.layer, k, x: i.values?.[e] ?? 1 }));
  ev.sort((a, b) => a.t - b.t);
  return [
    INPUT_MAGIC,
    `steps ${steps}`,
    ...init.map((x) => `init ${token(x.layer)} ${x.variable} ${x.codes.length} ${list(x.codes)}`),
    `events ${ev.length}`,
    ...ev.map((e) => `${e.t} ${token(e.layer)} ${e.k} ${num(e.x)}`),
  ].join("\n") + "\n";
}

/** The nonzero elements of a dense input [T, ...shape] (batch 1) as events of layer `layer`. */
export function denseEvents(layer: string, data: ArrayLike<number>, shape: number[]): ScInputEvents {
  const T = shape[0], n = shape.slice(1).reduce((a, b) => a * b, 1);
  if (data.length !== T * n) {
    const why = `input for ${layer}: ${data.length} values do not fill the shape [${shape.join(", ")}] (batch 1)`;
    throw new PhasorError(why, "bad-input");
  }
  const events: Array<[number, number]> = [], values: number[] = [];
  for (let t = 0; t < T; t++)
    for (let k = 0; k < n; k++) {
      const x = data[t * n + k];
      if (x !== 0) { events.push([t, k]); values.push(x); }
    }
  return { layer, events, values };
}

/** Initial state in model units as the layer holds it (as the VM's init: rounded, saturated codes on integer layers). */
export function stateCodes(l: ScLayer, values: ArrayLike<number>): number[] {
  const code = (x: number) => Math.max(-l.smax, Math.min(l.smax, Math.round(x / l.scale)));
  return Array.from(values, (x) => (l.arith === "float" ? x : code(x)));
}
