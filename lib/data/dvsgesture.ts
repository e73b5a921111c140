/**
 * DVS128 Gesture (Amir et al. 2017), raw release: DvsGesture/userNN_<lighting>.aedat (AEDAT
 * 3.1) with userNN_<lighting>_labels.csv (class,startTime_usec,endTime_usec; classes 1-11),
 * and trials_to_train.txt / trials_to_test.txt listing the .aedat files of each split.
 * Each labelled interval is one sample; times are made relative to its start.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PhasorError } from "../ir/errors.js";
import { parseAedat31 } from "./aedat.js";
import { filterEvents, type EventDataset, type EventSample } from "./events.js";
import { locateDataset } from "./locate.js";

/** The 11 gesture classes in label order. */
export const GESTURES = ["hand clapping", "right hand wave", "left hand wave", "right arm clockwise", "right arm counter-clockwise",
  "left arm clockwise", "left arm counter-clockwise", "arm roll", "air drums", "air guitar", "other gestures"];

/** Parses a labels CSV into intervals (label 0-based). */
export function parseGestureLabels(text: string, source = "labels.csv"): { label: number; start: number; end: number }[] {
  const rows = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !/^class/i.test(l));
  return rows.map((l, i) => {
    const [c, s, e] = l.split(",").map(Number);
    if (![c, s, e].every(Number.isFinite) || c < 1 || c > 11) throw new PhasorError([{ code: "bad-file", path: [source, i + 2], message: `expected class(1-11),startTime_usec,endTime_usec; got "${l}"` }]);
    return { label: c - 1, start: s, end: e };
  });
}

/** Opens a DVS Gesture split; each trial file is read when one of its samples is first asked for. */
export function readDvsGesture(opts: { path?: string; split?: "train" | "test" } = {}): EventDataset {
  const list = opts.split === "test" ? "trials_to_test.txt" : "trials_to_train.txt";
  const dir = locateDataset({ name: "DVS Gesture", folder: "dvsgesture", files: [list], url: "https://research.ibm.com/interactive/dvsgesture/ (DvsGesture.tar.gz; extract it)" }, opts.path);
  const trials = readFileSync(join(dir, list), "utf8").split(/\r?\n/).map((l) => l.trim()).filter((l) => l.endsWith(".aedat"));
  const index: { trial: string; label: number; start: number; end: number }[] = [];
  for (const trial of trials) {
    const csv = join(dir, trial.replace(/\.aedat$/, "_labels.csv"));
    for (const iv of parseGestureLabels(readFileSync(csv, "utf8"), csv)) index.push({ trial, ...iv });
  }
  let cached: { trial: string; events: ReturnType<typeof parseAedat31> } | undefined;
  return {
    name: "DVS Gesture", sensorSize: [128, 128, 2], classes: GESTURES, length: index.length,
    get(i): EventSample {
      const s = index[i];
      if (cached?.trial !== s.trial) cached = { trial: s.trial, events: parseAedat31(readFileSync(join(dir, s.trial)), s.trial) };
      const all = cached.events;
      const ev = filterEvents(all, (k) => all.t[k] >= s.start && all.t[k] < s.end);
      for (let k = 0; k < ev.t.length; k++) ev.t[k] -= s.start;
      return { events: ev, label: s.label };
    },
    close: () => { cached = undefined; },
  };
}
