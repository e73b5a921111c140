// Multi-chip systems: presets whose every link constant carries its source and kind (n/a where
// no figure is published), the report's per-link traffic and chip utilisation, the error naming
// the chips a network needs, and a spike crossing chips priced at the link's energy and latency.
import { describe, expect, test } from "vitest";
import { graph, tensor } from "../lib/ir/builders.js";
import type { Node } from "../lib/ir/graph.js";
import { compile, formatReport } from "../lib/compiler/index.js";
import { genericMesh } from "../lib/target/presets/generic.js";
import { nahuku32, spinnaker2Board48 } from "../lib/target/presets/systems/index.js";
import { unpublished } from "../lib/target/presets/constant.js";
import { chipCount, systemCoreXY, systemTarget } from "../lib/target/system.js";
import { getTarget, parseTarget } from "../lib/target/index.js";
import type { Constant, LinkSpec, Target } from "../lib/target/types.js";
import { runProgram } from "../lib/vm/index.js";

const k = (value: number, unit: string): Constant => ({ value, unit, source: "test value", kind: "pre-silicon" });
const link = (energyPJ: number, latencyNs: number): LinkSpec => ({ energy: k(energyPJ, "pJ"), latency: k(latencyNs, "ns"), bandwidth: k(1e8, "packet/s") });
const IF = (n: number): Node => ({ type: "IF", r: tensor(new Float64Array(n).fill(1e4)), v_threshold: tensor(new Float64Array(n).fill(0.5)) });
/** One core per chip, one neuron per core: layer a on chip 0, layer b on chip 1 (greedy). */
const onePerChip = (name: string, l: LinkSpec, chips = 2): Target =>
  systemTarget(genericMesh({ width: 1, height: 1, neuronsPerCore: 1, name: `${name}-chip` }), { name, description: "test system", chips: { width: chips, height: 1 }, chipLink: l });
/** in -> a -> b, one IF neuron each. */
const chain = () => graph().input("in", [1]).linear("w1", tensor([1], [1, 1])).node("a", IF(1)).linear("w2", tensor([1], [1, 1])).node("b", IF(1)).output("o").build();
const input = { data: Float64Array.from([1, 0, 1, 1]), shape: [4, 1] };
const pJ = 1e-12;

describe("system presets", () => {
  test("nahuku32: 32 Loihi chips, 4096 cores; spinnaker2-48: 48 chips of 152 PEs", () => {
    const n = nahuku32(), s = spinnaker2Board48();
    expect(chipCount(n.system!)).toBe(32);
    expect(n.cores).toBe(32 * 128);
    expect(n.system!.chip).toBe("loihi");
    expect(chipCount(s.system!)).toBe(48);
    expect(s.cores).toBe(48 * 152);
    expect(getTarget("nahuku32").cores).toBe(4096);
    expect(() => parseTarget(n)).not.toThrow();
    expect(() => parseTarget(s)).not.toThrow();
  });

  test("every link constant has a source and a kind; none is published, so each is 0 with the reason", () => {
    for (const t of [nahuku32(), spinnaker2Board48()]) {
      for (const [what, c] of Object.entries(t.system!.chipLink)) {
        expect(c.kind, `${t.name} ${what}`).toBe("unpublished");
        expect(c.value).toBe(0);
        expect(c.source).toMatch(/^no published figure: /);
      }
      // The chip grid is an assumption, said so, and the board's published facts are cited.
      expect(t.system!.topologyNote).toMatch(/assumed|approximated/);
    }
    expect(nahuku32().system!.topologyNote).toMatch(/32 Loihi chips per Nahuku board/);
    expect(Object.values(nahuku32().references).join(" ")).toMatch(/Frady/);
    expect(Object.values(spinnaker2Board48().references).join(" ")).toMatch(/2401\.04491/);
    // The chip's own figures are the chip preset's: Loihi's static power is fitted from the Nahuku board's.
    expect(nahuku32().energy.staticPerCore).toEqual(getTarget("loihi").energy.staticPerCore);
  });

  test("cores are numbered chip by chip; a system's mesh spans its chips", () => {
    const t = nahuku32();
    expect([t.mesh.width, t.mesh.height]).toEqual([64, 16]); // 8 x 4 chips of 8 x 4 tiles
    expect(systemCoreXY(t, 0)).toEqual([0, 0]);
    expect(systemCoreXY(t, 127)).toEqual([7, 3]); // last tile of chip 0
    expect(systemCoreXY(t, 128)).toEqual([8, 0]); // chip 1 lies east of chip 0
    expect(systemCoreXY(t, 8 * 128)).toEqual([0, 4]); // chip 8 starts the second row of chips
  });

  test("a system whose mesh or cores disagree with its chips is refused, naming the field", () => {
    const t = nahuku32();
    expect(() => parseTarget({ ...t, cores: 4000 })).toThrow(/32 chips of 128 cores has 4096 cores, not 4000/);
    expect(() => parseTarget({ ...t, mesh: { ...t.mesh, width: 8 } })).toThrow(/needs a 64x16 mesh, not 8x16/);
  });
});

describe("compiling onto a system", () => {
  test("the report shows packets per inter-chip link and each chip's utilisation (by hand)", () => {
    const p = compile(chain(), onePerChip("two-chips", link(100, 50)), { placer: "greedy" });
    const s = p.report.system!;
    expect(s.chipsUsed).toBe(2);
    expect(s.chipsTotal).toBe(2);
    // a's one spike (no counts given: 1 per neuron) crosses the link from chip 0 to chip 1 once.
    expect(s.links).toEqual([{ from: 0, to: 1, kind: "chip", packets: 1 }]);
    expect(s.interChipPackets).toBe(1);
    expect(s.chips).toEqual([
      { chip: 0, cores: 1, neurons: 1, utilisation: { cores: 1, neurons: 1 } },
      { chip: 1, cores: 1, neurons: 1, utilisation: { cores: 1, neurons: 1 } },
    ]);
    const text = formatReport(p.report);
    expect(text).toMatch(/system: 2 of 2 two-chips-chip chips in use; 1 packets cross chip links/);
    expect(text).toMatch(/0 -> 1\s+chip\s+1/);
  });

  test("a network too large names the chips it needs, on a system and on one chip", () => {
    const big = graph().input("in", [1]).linear("w", tensor([1, 1, 1], [3, 1])).node("h", IF(3)).output("o").build();
    expect(() => compile(big, onePerChip("two-small", link(1, 1)))).toThrow(/needs 3 cores; two-small has 2 \(2 two-small-chip chips\): it needs 3 two-small-chip chips of 1 cores/);
    const chip = genericMesh({ width: 1, height: 2, neuronsPerCore: 1, name: "tiny-chip" });
    expect(() => compile(big, chip)).toThrow(/needs 3 cores; tiny-chip has 2: it needs 2 tiny-chip chips of 2 cores; compile for a system of at least 2 chips/);
  });
});

describe("a spike crossing chips costs the link's energy and latency", () => {
  test("energy: each of a's spikes crosses one chip link at 100 pJ, and no mesh hop", () => {
    const r = runProgram(compile(chain(), onePerChip("priced", link(100, 50)), { placer: "greedy" }), { input });
    const spikes = r.spikes.a.length;
    expect(spikes).toBe(3); // input 1, 0, 1, 1 and threshold 0.5 with r = 1e4: a spikes at steps 0, 2, 3
    expect(r.energy.byOp.chipLink).toBeCloseTo(spikes * 100 * pJ, 22);
    expect(r.energy.byOp.hop ?? 0).toBe(0);
    expect(r.energy.constants["system.chipLink.energy"].value).toBe(100);
  });

  test("a board link is priced at the board link's energy (1000 pJ) and reported as such", () => {
    const chip = genericMesh({ width: 1, height: 1, neuronsPerCore: 1, name: "board-chip" });
    const t = systemTarget(chip, { name: "two-boards", description: "2 boards of 1 chip", chips: { width: 1, height: 1 }, boards: { width: 2, height: 1 }, chipLink: link(100, 50), boardLink: link(1000, 500) });
    const p = compile(chain(), t, { placer: "greedy" });
    expect(p.report.system!.links).toEqual([{ from: 0, to: 1, kind: "board", packets: 1 }]);
    const r = runProgram(p, { input });
    expect(r.energy.byOp.boardLink).toBeCloseTo(3 * 1000 * pJ, 22);
    expect(r.energy.byOp.chipLink ?? 0).toBe(0);
  });

  test("time: every step waits for the farthest spike, one link of 50 ns here (the difference to a 0 ns link)", () => {
    const run = (l: LinkSpec, name: string) => runProgram(compile(chain(), onePerChip(name, l), { placer: "greedy" }), { input }).energy.seconds!;
    expect(run(link(100, 50), "slow") - run(link(100, 0), "fast")).toBeCloseTo(4 * 50e-9, 15);
  });

  test("an unpublished link figure makes the energy and the chip time n/a, naming it", () => {
    const l: LinkSpec = { energy: unpublished("pJ", "test"), latency: unpublished("ns", "test"), bandwidth: unpublished("packet/s", "test") };
    const e = runProgram(compile(chain(), onePerChip("unknown-link", l), { placer: "greedy" }), { input }).energy;
    expect(e.byOp.chipLink).toBeNull();
    expect(e.total).toBeNull();
    expect(e.na.dynamic).toMatch(/system\.chipLink\.energy has no published figure/);
    expect(e.seconds).toBeNull();
    expect(e.na.time).toMatch(/system\.chipLink\.latency/);
  });
});
