/** The `export` runner: writes a compiled Program as NIR plus a manifest for vendor toolchains (Lava, Rockpool, Sinabs, SpiNNaker2). */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PhasorError } from "../../ir/errors.js";
import { writeNir, NIR_VERSION_WRITTEN } from "../../ir/nir/index.js";
import type { Program } from "../../compiler/program.js";
import type { RunResult } from "../../vm/types.js";
import type { DeployInfo, Runner, RunnerStatus } from "../runner.js";
import { programHash } from "../vm-runner.js";
import { programToNirGraph } from "./nir-graph.js";
import { TOOLCHAINS, compatibility, nodeTypes, type Toolchain } from "./toolchains.js";

/** manifest.json of an export. */
export interface ExportManifest {
  format: "phasor-export";
  version: 1;
  nir: { file: string; version: string; convention: string };
  program: { sha256: string; target: string; dt: number; reset: "zero" | "subtract"; integrator: "euler"; recurrentDelaySteps: 1 };
  inputs: Array<{ name: string; shape: number[] }>;
  outputs: string[];
  nodeTypes: string[];
  toolchains: Array<Toolchain & { importable: boolean; unsupported: string[] }>;
}

/** Writes DIR/network.nir and DIR/manifest.json; returns the manifest and the files. */
export async function exportProgram(p: Program, dir: string): Promise<{ manifest: ExportManifest; files: string[] }> {
  const g = programToNirGraph(p);
  mkdirSync(dir, { recursive: true });
  const nirFile = join(dir, "network.nir"), manifestFile = join(dir, "manifest.json");
  await writeNir(g, nirFile);
  const compat = compatibility(g);
  const manifest: ExportManifest = {
    format: "phasor-export", version: 1,
    nir: { file: "network.nir", version: NIR_VERSION_WRITTEN, convention: "Phasor canonical: forward Euler at program.dt reproduces the Program, v += dt/tau*((v_leak - v) + r*I) with r = tau/dt (unit input gain per step); read with readNir(file, { convention: 'raw' })" },
    program: { sha256: programHash(p), target: p.target.name, dt: p.options.dt, reset: p.options.reset, integrator: "euler", recurrentDelaySteps: 1 },
    inputs: p.layers.filter((l) => l.kind === "input").map((l) => ({ name: l.name, shape: l.shape })),
    outputs: p.layers.filter((l) => l.output || l.kind === "readout").map((l) => l.name),
    nodeTypes: nodeTypes(g),
    toolchains: TOOLCHAINS.map((t, k) => ({ ...t, importable: compat[k].importable, unsupported: compat[k].unsupported })),
  };
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + "\n");
  return { manifest, files: [nirFile, manifestFile] };
}

/** A runner that hands Programs to vendor toolchains instead of executing them. */
export class ExportRunner implements Runner {
  readonly name = "export";
  private last?: DeployInfo;
  constructor(readonly dir: string = "phasor-export") {}

  /** Writes the export into the runner's directory. */
  async deploy(program: Program): Promise<DeployInfo> {
    const { manifest, files } = await exportProgram(program, resolve(this.dir));
    this.last = { runner: this.name, program: manifest.program.sha256, target: program.target.name, files };
    return this.last;
  }

  /** Refuses: an export is run by the vendor's toolchain, not here. */
  async run(): Promise<RunResult> {
    throw new PhasorError(`the export runner does not execute programs; import ${this.last?.files?.[0] ?? "the exported network.nir"} with the toolchain named in manifest.json, or run on vm`, "export-only");
  }

  async status(): Promise<RunnerStatus> {
    return { runner: this.name, state: this.last ? "ready" : "idle", program: this.last && { sha256: this.last.program, target: this.last.target }, detail: { dir: resolve(this.dir), files: this.last?.files ?? [] } };
  }

  async close(): Promise<void> {}
}
