/**
 * The `phasor` command line: the contract of DESIGN.md ("Command line contract").
 * Command modules load inside their actions (`await import()`), so `phasor kernel` and
 * `phasor --help` do not pay for the simulator, compiler and targets at startup.
 */
import { resolve } from "node:path";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { isPhasorError } from "../lib/ir/errors.js";
import { checkReadable, checkWritable, fileError } from "../lib/ir/io/files.js";
import type { Convention } from "../lib/ir/nir/index.js";
import type { SimulateFlags } from "./simulate.js";
import type { CompileFlags } from "./compile.js";
import { registerRun } from "./run.js";
import { registerBoard } from "./board.js";
import { registerData } from "./data.js";
import { registerCluster } from "./cluster.js";
import { registerSweep } from "./sweep.js";
import { DEFAULT_CONVENTION, conventionNames } from "../lib/ir/nir/conventions.js";

/** Builds the program; exported so tests can parse without exiting. */
export function program(): Command {
  const p = new Command("phasor").description("Phasor: a vendor-neutral neuromorphic workbench");
  p.hook("preAction", (_, action) => checkFiles(action));
  p.command("install")
    .description("install the Jupyter kernelspec (name phasor, language typescript)")
    .option("--user", "install for the current user")
    .option("--sys-prefix", "install into sys.prefix (the active Python environment)")
    .option("--prefix <dir>", "install under DIR/share/jupyter/kernels")
    .action(async (o: { user?: boolean; sysPrefix?: boolean; prefix?: string }) => {
      const k = await import("../kernel/index.js");
      console.log(`installed kernelspec phasor in ${await k.installKernelspec(o)}`);
    });
  p.command("kernel")
    .description("run the Jupyter kernel (started by Jupyter with a connection file)")
    .requiredOption("-f, --connection-file <file>", "Jupyter connection file")
    .action(async (o: { connectionFile: string }) => (await import("../kernel/index.js")).runKernel(o.connectionFile));
  p.command("repl")
    .description("the same cells and magics in a terminal")
    .option("--figures <dir>", "folder for figures (default: ./phasor-figures/<start time>, one per session)")
    .action(async (o: { figures?: string }) => {
      await (await import("../kernel/index.js")).runRepl({ figuresDir: o.figures === undefined ? undefined : resolve(o.figures) });
    });

  const nir = p.command("nir").description("NIR files");
  nir.command("info")
    .description("nodes (name, type, input and output shapes, parameter shapes) and edges")
    .argument("<file>", "a .nir file")
    .option("--json", "print JSON for scripts")
    .addOption(conventionOption())
    .option("--dt <seconds>", "time step the exporter used (needed by some conventions)", parseFloat)
    .action(async (file: string, o: { json?: boolean; convention: Convention; dt?: number }) => (await import("./nir.js")).nirInfoCommand(file, o));

  p.command("simulate")
    .description("run the reference simulator on a NIR file")
    .argument("<file>", "a .nir file")
    .requiredOption("--input <file>", ".csv (one row per step, one column per input element) or .npy [T, ...shape] / [T, batch, ...shape]")
    .option("--dt <seconds>", "time step in seconds", parseFloat, 1e-4)
    .option("--steps <n>", "number of steps (default: the input's length)", parseInteger)
    .option("--batch <b>", "batch size (a 2-D input is repeated over the batch)", parseInteger)
    .option("--record <nodes>", "comma-separated node names whose state to record", (s: string) => s.split(",").filter(Boolean))
    .addOption(new Option("--integrator <kind>", "integration scheme (default: euler; a converted graph needs euler)").choices(["euler", "exact"]))
    .addOption(new Option("--reset <mode>", "reset after a spike: to v_reset (zero) or by subtracting the threshold (default: the convention's; zero for raw)").choices(["zero", "subtract"]))
    .addOption(new Option("--dtype <dtype>", "arithmetic precision").choices(["float64", "float32"]).default("float64"))
    .addOption(conventionOption())
    .option("--out <file>", "write .csv (step,NODE.VAR,...) or .json (the same plus spikes)")
    .option("--json", "print a JSON summary")
    .action(async (file: string, o: SimulateFlags) => (await import("./simulate.js")).simulateCommand(file, o));

  p.command("compile")
    .description("compile a NIR file for a target (preset name or TARGET.json) into a Program")
    .argument("<file>", "a .nir file")
    .requiredOption("--target <target>", "target name (loihi, loihi2, truenorth, spinnaker2, xylo-audio2, speck, generic-mesh) or a TARGET.json file")
    .option("--dt <seconds>", "time step in seconds", parseFloat, 1e-4)
    .option("--out <file>", "write PROGRAM.json (and PROGRAM.bin beside it)")
    .option("--report", "print the resource report")
    .option("--json", "print the report as JSON")
    .addOption(new Option("--placer <kind>", "placement").choices(["greedy", "optimise"]).default("optimise"))
    .option("--seed <n>", "seed of the optimising placer", (s: string) => Number(s), 0)
    .addOption(new Option("--reset <mode>", "reset after a spike (default: the convention's where its framework has only one, else the target's first mode)").choices(["zero", "subtract"]))
    .option("--host", "run nodes the target cannot run on a host CPU partition")
    .option("--emit <kind...>", "also write a model of the compiled system: --emit systemc DIR (docs/systemc.md)")
    .addOption(conventionOption())
    .action(async (file: string, o: CompileFlags) => (await import("./compile.js")).compileCommand(file, o));
  registerRun(p);
  registerBoard(p);
  registerData(p);
  registerSweep(p);
  registerCluster(p);
  oneLineErrors(p, "phasor");
  return p;
}

/** Commander's usage errors (a missing option, an unknown one) as one line naming the command, not the whole help. */
function oneLineErrors(cmd: Command, name: string): void {
  const line = (text: string) => `${name}: ${text.trim().split(/\s*\n\s*/).join(" ")} (see ${name} --help)\n`;
  cmd.configureOutput({ outputError: (text, write) => write(line(text)) });
  for (const sub of cmd.commands) oneLineErrors(sub, `${name} ${sub.name()}`);
}

/** Files a command reads (--input, a --target .json) or writes (--out): refused before any work when unusable. */
function checkFiles(cmd: Command): void {
  const o = cmd.opts<{ input?: unknown; target?: unknown; out?: unknown; inputs?: unknown }>();
  if (typeof o.input === "string") checkReadable(o.input, "--input");
  if (typeof o.target === "string" && o.target.toLowerCase().endsWith(".json")) checkReadable(o.target, "--target");
  if (typeof o.out === "string" && o.inputs === undefined) checkWritable(o.out, "--out"); // a batch's --out is a folder
}

function conventionOption(): Option {
  return new Option("--convention <name>", "how the exporting framework baked dt into the parameters (docs/conventions.md)").choices(conventionNames).default(DEFAULT_CONVENTION);
}

function parseInteger(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a positive integer, got "${s}"`);
  return n;
}

/** Runs the CLI; a user's mistake prints one clear message and exits non-zero, without a stack trace. */
export async function main(argv: string[]): Promise<void> {
  const p = program().exitOverride();
  try {
    await p.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) process.exit(e.exitCode);
    const user = isPhasorError(e) ? e : fileError(e);
    if (user) {
      process.stderr.write(`phasor: error: ${user.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}
