import { describe, expect, it } from "vitest";
import { trainingCurves } from "./curves.js";
import { eventFrame } from "./frame.js";
import { COLOURS, isFigure, summarise, titleText, type Trace } from "./figure.js";

describe("trainingCurves", () => {
  it("draws loss and accuracy per step, validation per epoch, with a summary", () => {
    const steps = Array.from({ length: 10 }, (_, i) => ({ step: i + 1, loss: 2 - i / 10, accuracy: i / 10 }));
    const f = trainingCurves(steps, [{ epoch: 1, step: 5, valLoss: 1.7, valAccuracy: 0.4 }, { epoch: 2, step: 10, valLoss: 1.2, valAccuracy: 0.6 }], { note: "backend: cpu" });
    expect(isFigure(f)).toBe(true);
    expect(f.data.map((t) => `${t.name} ${t.yaxis}`)).toEqual(["train y", "train y2", "validation y", "validation y2"]);
    expect(f.data[2].x).toEqual([5, 10]);
    expect(f.data[3].y).toEqual([40, 60]); // accuracy in %
    expect(summarise(f)).toBe("training: 10 steps, loss 1.1000, accuracy 90.0%, validation accuracy 60.0% after epoch 2 (backend: cpu)");
  });

  it("keeps the backend out of the title (it goes to the summary and layout.meta)", () => {
    const f = trainingCurves([{ step: 1, loss: 1, accuracy: 0 }], [], { note: "backend: wasm (skipped tensorflow-gpu, tensorflow)" });
    expect(titleText(f.layout)).toBe("Training");
    expect(f.layout.meta?.phasor?.note).toBe("backend: wasm (skipped tensorflow-gpu, tensorflow)");
    expect(summarise(f)).toContain("(backend: wasm");
  });

  it("gives train and validation one colour each, the same in both panels, one legend entry each", () => {
    const f = trainingCurves([{ step: 1, loss: 1, accuracy: 0 }], [{ epoch: 1, step: 1, valLoss: 1, valAccuracy: 0.5 }]);
    const colour = (t: Trace) => ((t.line ?? t.marker) as { color: string }).color;
    const bySplit = (name: string) => new Set(f.data.filter((t) => t.name === name).map(colour));
    expect([...bySplit("train")]).toEqual([COLOURS.train]);
    expect([...bySplit("validation")]).toEqual([COLOURS.validation]);
    expect(COLOURS.train).not.toBe(COLOURS.validation);
    expect(f.data.filter((t) => t.showlegend).map((t) => t.name)).toEqual(["train", "validation"]);
  });

  it("thins long runs but keeps the last step", () => {
    const steps = Array.from({ length: 1001 }, (_, i) => ({ step: i + 1, loss: 1, accuracy: 0 }));
    const x = trainingCurves(steps, [], { maxPoints: 100 }).data[0].x as number[];
    expect(x.length).toBeLessThanOrEqual(102);
    expect(x[x.length - 1]).toBe(1001);
  });

  it("is valid with no steps yet (the first live display)", () => {
    expect(summarise(trainingCurves([]))).toBe("training: no steps yet");
  });
});

describe("eventFrame", () => {
  it("lays counts out as heatmap rows and totals them", () => {
    const f = eventFrame({ data: [0, 1, 2, 3, 4, 5], rows: 2, columns: 3 }, { yScale: 2 });
    expect(f.data[0].z).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(f.data[0].y).toEqual([0, 2]);
    expect(summarise(f)).toBe("event frame: 2 x 3, 15 events, at most 5 per cell");
    expect(() => eventFrame({ data: [1], rows: 2, columns: 2 })).toThrow(/do not fill/);
  });
});
