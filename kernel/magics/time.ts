/** %time / %%time: CPU and wall time of a statement, an expression, or a whole cell. */
import { defineMagic, type MagicContext } from "./types.js";

interface Clock {
  wall: bigint;
  cpu: NodeJS.CpuUsage;
}

const start = (): Clock => ({ wall: process.hrtime.bigint(), cpu: process.cpuUsage() });

/** Formats a duration in seconds the way IPython does (ns, µs, ms, s). */
export function formatSeconds(s: number): string {
  if (s >= 1) return `${s.toFixed(2)} s`;
  if (s >= 1e-3) return `${(s * 1e3).toFixed(2)} ms`;
  if (s >= 1e-6) return `${(s * 1e6).toFixed(2)} µs`;
  return `${(s * 1e9).toFixed(0)} ns`;
}

function report(c: Clock, ctx: MagicContext): void {
  const wall = Number(process.hrtime.bigint() - c.wall) / 1e9;
  const cpu = process.cpuUsage(c.cpu);
  const user = cpu.user / 1e6;
  const sys = cpu.system / 1e6;
  ctx.print(`CPU times: user ${formatSeconds(user)}, sys: ${formatSeconds(sys)}, total: ${formatSeconds(user + sys)}\nWall time: ${formatSeconds(wall)}\n`);
}

/** The %time magic. */
export const timeMagic = defineMagic({
  name: "time",
  summary: "time one statement or expression (%time) or a whole cell (%%time)",
  description: "Prints CPU and wall time. The expression's value is still the cell's result; with %%time the cell's variables persist.",
  modes: ["line", "cell"],
  code: true,
  examples: ["%time phasor.simulate(net, input)", "%%time\nconst r = heavy();\nr.length"],
  async run(input, ctx) {
    const c = start();
    try {
      return await input.code?.();
    } finally {
      report(c, ctx);
    }
  },
  inlineCell: {
    begin: () => start(),
    end: (state, ctx) => report(state as Clock, ctx),
  },
});
