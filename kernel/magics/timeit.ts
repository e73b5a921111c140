/** %timeit / %%timeit: repeated timing with mean and standard deviation, as IPython reports it. */
import { PhasorError } from "../../lib/ir/errors.js";
import { formatSeconds } from "./time.js";
import { defineMagic } from "./types.js";

/** What %timeit returns (bind it with --as). */
export interface TimeitResult {
  loops: number;
  repeat: number;
  /** Seconds per loop, one entry per run. */
  perLoop: number[];
  mean: number;
  std: number;
  best: number;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new PhasorError(`expected a positive integer, got "${v}"`, "usage");
  return n;
}

async function timeLoops(code: () => Promise<unknown>, n: number, signal: AbortSignal): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    if (signal.aborted) throw new PhasorError("interrupted", "interrupted");
    await code();
  }
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** The %timeit magic. */
export const timeitMagic = defineMagic({
  name: "timeit",
  summary: "time a statement over many loops: mean ± std. dev. of several runs",
  description: "Without -n, the loop count grows by 10x until one run takes at least 0.2 s. Variables declared in the timed code stay local.",
  modes: ["line", "cell"],
  code: true,
  options: [
    { flags: "-n, --number <loops>", description: "loops per run (default: automatic)", parse: positiveInt },
    { flags: "-r, --repeat <runs>", description: "number of runs", default: 7, parse: positiveInt },
    { flags: "-q, --quiet", description: "do not print the summary" },
    { flags: "-o, --output", description: "return the timings (implied by --as)" },
  ],
  examples: ["%timeit Math.sqrt(2)", "%timeit -n 100 -r 3 await step()", "%timeit --as t xs.sort()"],
  async run(input, ctx) {
    const code = input.code ?? (async () => undefined);
    const repeat = input.options.repeat as number;
    let loops = input.options.number as number | undefined;
    if (loops === undefined) {
      loops = 1;
      while (loops < 1e9 && (await timeLoops(code, loops, ctx.signal)) < 0.2) loops *= 10;
    }
    const perLoop: number[] = [];
    for (let r = 0; r < repeat; r++) perLoop.push((await timeLoops(code, loops, ctx.signal)) / loops);
    const mean = perLoop.reduce((a, b) => a + b, 0) / repeat;
    const std = Math.sqrt(perLoop.reduce((a, b) => a + (b - mean) ** 2, 0) / repeat);
    const result: TimeitResult = { loops, repeat, perLoop, mean, std, best: Math.min(...perLoop) };
    if (!input.options.quiet) {
      const runs = repeat === 1 ? "1 run" : `${repeat} runs`;
      ctx.print(`${formatSeconds(mean)} ± ${formatSeconds(std)} per loop (mean ± std. dev. of ${runs}, ${loops} loop${loops === 1 ? "" : "s"} each)\n`);
    }
    return input.options.output || input.options.as !== undefined ? result : undefined;
  },
});
