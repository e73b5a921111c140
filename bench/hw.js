// Remote runner overhead: jobs per second on a loopback board (CURVE, VM behind it) against
// the same jobs on the local VM in this process. Prints the ratio. Needs `npm run build`.
"use strict";
const { compile } = require("../dist/lib/compiler/index.js");
const { runProgram } = require("../dist/lib/vm/index.js");
const { startLoopbackBoard } = require("../dist/lib/hw/index.js");
const { Rng } = require("../dist/lib/ir/random.js");
const { graph, tensor } = require("../dist/lib/ir/builders.js");

async function main() {
  const rng = new Rng(3);
  const w = (o, i) => tensor(Float64Array.from({ length: o * i }, () => (rng.random() < 0.5 ? 0.4 : -0.1)), [o, i]);
  const IF = (n) => ({ type: "IF", r: tensor(new Float64Array(n).fill(1e4)), v_threshold: tensor(new Float64Array(n).fill(1)) });
  const p = compile(graph().input("in", [16]).linear("fc1", w(32, 16)).node("h", IF(32)).linear("fc2", w(8, 32)).node("out", IF(8)).output("o").build(), "generic-mesh", { reset: "zero" });
  const steps = Number(process.argv[2] ?? 200), jobs = Number(process.argv[3] ?? 200), clients = Number(process.argv[4] ?? 4);
  const input = { data: Float64Array.from({ length: steps * 16 }, () => (rng.random() < 0.3 ? 1 : 0)), shape: [steps, 16] };
  let t0 = performance.now();
  for (let k = 0; k < jobs; k++) runProgram(p, { input });
  const local = (performance.now() - t0) / 1e3;
  const board = await startLoopbackBoard();
  const cs = Array.from({ length: clients }, () => board.connect());
  await Promise.all(cs.map((c) => c.deploy(p)));
  t0 = performance.now();
  await Promise.all(cs.map((c, i) => (async () => { for (let k = i; k < jobs; k += clients) await c.run(input); })()));
  const remote = (performance.now() - t0) / 1e3;
  console.log(`${jobs} jobs of ${steps} steps: local VM ${(jobs / local).toFixed(1)} jobs/s, loopback board (${clients} clients) ${(jobs / remote).toFixed(1)} jobs/s; remote/local time ratio ${(remote / local).toFixed(2)}`);
  await Promise.all(cs.map((c) => c.close()));
  await board.server.close("bench done", 1);
}
main().catch((e) => { console.error(e); process.exit(1); });
