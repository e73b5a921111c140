// Heterogeneous partitions: the report shows the host/chip split, each channel's synapses,
// and the spike traffic that crosses it (weighted by spike counts when given).
import { describe, expect, test } from "vitest";
import { graph, tensor } from "../lib/ir/builders.js";
import { compile, formatReport } from "../lib/compiler/index.js";

const w = (r: number, c: number) => tensor(Array.from({ length: r * c }, (_, k) => (k % 3 === 0 ? 0 : 0.5 + (k % 5) / 10)), [r, c]);
// in -> l1 (LIF, chip) -> l2 (MultiCubaLIF: loihi cannot, host) -> l3 (LIF, chip) -> readout (host)
const net = () => graph().input("in", 8).affine("fc1", w(20, 8), 0).lif("l1", { tau: 2e-2 })
  .affine("fc2", w(6, 20), 0).multiCubaLIF("l2", { tau_syn: [1e-3], tau_mem: 2e-2 })
  .affine("fc3", w(4, 6), 0).lif("l3", { tau: 2e-2 }).affine("ro", w(3, 4), 0).output("y").build();

describe("host partition", () => {
  test("channels carry their synapse counts and crossing spikes, both directions", () => {
    const r = compile(net(), "loihi", { allowHost: true }).report;
    expect(r.host.layers).toEqual(["l2", "y"]);
    const byName = Object.fromEntries(r.host.channels.map((c) => [c.projection, c]));
    expect(byName.fc2).toMatchObject({ direction: "chip->host", synapses: 80 });
    expect(byName.fc3).toMatchObject({ direction: "host->chip", synapses: 16 });
    expect(byName.ro).toMatchObject({ direction: "chip->host", synapses: 8 });
    expect(byName.fc2.synapses).toBeGreaterThan(0);
    // 1 spike per neuron by default: every l1/l3 neuron with a synapse across sends its spikes
    expect(r.host.spikes).toEqual({ toHost: byName.fc2.spikes + byName.ro.spikes, toChip: byName.fc3.spikes });
    expect(formatReport(r)).toMatch(/host partition: l2, y; \d+ spikes chip->host, \d+ host->chip/);
    expect(formatReport(r)).toMatch(/fc2\s+chip->host\s+80\s+20/);
  });
  test("spike counts weight the crossing traffic; silent sources send nothing", () => {
    const counts = { l1: new Array(20).fill(0).map((_, i) => (i < 5 ? 3 : 0)), l2: new Array(6).fill(2), l3: new Array(4).fill(1) };
    const r = compile(net(), "loihi", { allowHost: true, spikeCounts: counts }).report;
    expect(r.host.channels.find((c) => c.projection === "fc2")!.spikes).toBe(15);
    // fc3 = w(4, 6): l2 neurons 0 and 3 have only zero weights, so their spikes never cross
    expect(r.host.spikes.toChip).toBe(8);
  });
});
