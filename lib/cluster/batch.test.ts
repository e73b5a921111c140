import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunResult } from "../vm/types.js";
import { aggregate, listInputs, predicted, readLabels, type BatchOutcome } from "./batch.js";

const result = (spikes: RunResult["spikes"], perInference: number | null): RunResult =>
  ({ spikes, energy: { perInference }, batch: 1 }) as unknown as RunResult;

describe("batch inputs, labels and the aggregate", () => {
  const dir = mkdtempSync(join(tmpdir(), "phasor-batch-unit-"));
  for (const n of ["b.npy", "a.csv", "c.txt", "d.npy"]) writeFileSync(join(dir, n), "");
  mkdirSync(join(dir, "sub.npy"));

  it("a folder gives its .csv/.npy files sorted; a pattern its matches; nothing matched is an error", () => {
    expect(listInputs(dir).map((f) => f.slice(dir.length + 1))).toEqual(["a.csv", "b.npy", "d.npy"]);
    expect(listInputs(join(dir, "*.npy")).map((f) => f.slice(dir.length + 1))).toEqual(["b.npy", "d.npy"]);
    expect(listInputs(join(dir, "?.csv"))).toHaveLength(1);
    expect(() => listInputs(join(dir, "*.wav"))).toThrow(
      /names no input files; give a folder of \.csv\/\.npy files or a pattern/,
    );
  });

  it("two inputs that would write the same result file are refused", () => {
    writeFileSync(join(dir, "d.csv"), "");
    expect(() => listInputs(dir)).toThrow(/d\.csv and .*d\.npy would write the same result file d\.json/);
  });

  it("labels from CSV or JSON by file stem; a bad label names the line", () => {
    writeFileSync(join(dir, "l.csv"), "# name,label\nx.npy,3\ny.csv, 0\n");
    expect([...readLabels(join(dir, "l.csv"))]).toEqual([
      ["x", 3],
      ["y", 0],
    ]);
    writeFileSync(join(dir, "l.json"), JSON.stringify({ "x.npy": 1 }));
    expect([...readLabels(join(dir, "l.json"))]).toEqual([["x", 1]]);
    writeFileSync(join(dir, "bad.csv"), "x.npy,3\ny.npy,cat\n");
    expect(() => readLabels(join(dir, "bad.csv"))).toThrow(/bad\.csv\.2: label of y\.npy is "cat"; give a class index/);
  });

  it("the prediction is the readout neuron with the most spikes (lowest index on a tie)", () => {
    expect(
      predicted(
        result(
          {
            out: [
              [0, 2],
              [1, 2],
              [2, 0],
              [3, 1],
              [4, 1],
            ],
          },
          0,
        ),
        "out",
      ),
    ).toBe(1);
    expect(
      predicted(
        result(
          {
            out: [
              [0, 0, 3],
              [1, 0, 3],
            ],
          },
          0,
        ),
        "out",
      ),
    ).toBe(3);
    expect(predicted(result({ out: [] }, 0), "out")).toBeNull();
  });

  it("sums spikes and energy over the inputs that ran, accuracy over the labelled ones, lists failures", () => {
    const outs: BatchOutcome[] = [
      {
        file: "in/x.npy",
        ok: true,
        result: result(
          {
            h: [
              [0, 1],
              [1, 1],
            ],
            out: [[1, 0]],
          },
          2e-6,
        ),
      },
      {
        file: "in/y.npy",
        ok: true,
        result: result(
          {
            h: [[0, 0]],
            out: [
              [1, 1],
              [2, 1],
            ],
          },
          4e-6,
        ),
      },
      { file: "in/z.npy", ok: false, error: "boom" },
    ];
    const agg = aggregate(outs, {
      readout: "out",
      labels: new Map([
        ["x", 0],
        ["y", 0],
        ["z", 1],
      ]),
    });
    expect(agg).toEqual({
      inputs: 3,
      succeeded: 2,
      failed: [{ file: "in/z.npy", error: "boom" }],
      spikes: { total: 6, meanPerInput: 3, byLayer: { h: 3, out: 3 } },
      energy: { total: 6e-6, meanPerInference: 3e-6 },
      accuracy: { readout: "out", labelled: 2, correct: 1, accuracy: 0.5 },
    });
    expect(aggregate(outs.slice(0, 1), { readout: "out" }).accuracy).toBeUndefined();
  });
});
