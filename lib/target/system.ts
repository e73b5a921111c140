/**
 * Multi-chip systems: chips in a grid on a board, boards in a grid, joined by links with their
 * own bandwidth, latency and energy. A system is a Target whose mesh is the whole system's grid
 * of routers (chips tile it as Loihi's mesh extends through its east, west, north and south
 * chip interfaces) and whose `system` field says where the chip and board boundaries lie: a
 * mesh link that crosses a chip boundary is a chip-to-chip link, one that crosses a board
 * boundary a board-to-board link, each priced by the system's own constants, not the chip's hop.
 * Cores are numbered chip by chip: core c lies on chip floor(c / coresPerChip).
 */
import { PhasorError } from "../ir/errors.js";
import type { LinkSpec, SystemSpec, Target } from "./types.js";

export type { LinkSpec, SystemSpec };

/** A Target that may be a system. */
export type MaybeSystem = Target;

/** The system description of a target, if it is one. */
export function systemOf(t: Target): SystemSpec | undefined {
  return t.system;
}

/** Chips in the whole system. */
export function chipCount(s: SystemSpec): number {
  const b = s.boards ?? { width: 1, height: 1 };
  return s.chips.width * s.chips.height * b.width * b.height;
}

/** Chips in a grid spanning every board: width and height in chips. */
export function chipGrid(s: SystemSpec): { width: number; height: number } {
  const b = s.boards ?? { width: 1, height: 1 };
  return { width: s.chips.width * b.width, height: s.chips.height * b.height };
}

/** Builds a system Target from a chip Target: the mesh spans every chip, the cores are all of theirs. */
export function systemTarget(chip: Target, o: Omit<SystemSpec, "chip" | "chipMesh" | "coresPerChip"> & { name: string; description: string; references?: Record<string, string> }): Target {
  if (systemOf(chip)) throw new PhasorError(`${chip.name} is already a system; build a system from a single chip`, "bad-target");
  const spec: SystemSpec = {
    chip: chip.name, chipMesh: { width: chip.mesh.width, height: chip.mesh.height }, coresPerChip: chip.cores,
    chips: o.chips, ...(o.boards ? { boards: o.boards } : {}), chipLink: o.chipLink, ...(o.boardLink ? { boardLink: o.boardLink } : {}),
    ...(o.topologyNote ? { topologyNote: o.topologyNote } : {}),
  };
  const g = chipGrid(spec), n = chipCount(spec);
  const t: MaybeSystem = {
    ...structuredClone(chip), name: o.name, description: o.description, references: { ...chip.references, ...(o.references ?? {}) },
    mesh: { ...chip.mesh, width: chip.mesh.width * g.width, height: chip.mesh.height * g.height },
    cores: chip.cores * n,
    system: spec,
  };
  if (chip.coreOverrides) t.coreOverrides = Array.from({ length: n }, () => chip.coreOverrides!).flat();
  return t;
}

/** Chip of a core (0 on a single chip). */
export function chipOfCore(t: Target, core: number): number {
  const s = systemOf(t);
  return s ? Math.floor(core / s.coresPerChip) : 0;
}

/** Router coordinates (in the system's grid) of a core. */
export function systemCoreXY(t: Target, core: number): [number, number] {
  const s = systemOf(t);
  const per = t.mesh.coresPerRouter;
  if (!s) { const r = Math.floor(core / per); return [r % t.mesh.width, Math.floor(r / t.mesh.width)]; }
  const chip = Math.floor(core / s.coresPerChip), local = Math.floor((core % s.coresPerChip) / per);
  const g = chipGrid(s);
  const [cx, cy] = chipXY(s, chip, g.width);
  return [cx * s.chipMesh.width + (local % s.chipMesh.width), cy * s.chipMesh.height + Math.floor(local / s.chipMesh.width)];
}

/** Grid position of a chip: chips are numbered board by board, row by row within a board. */
function chipXY(s: SystemSpec, chip: number, gridWidth: number): [number, number] {
  const perBoard = s.chips.width * s.chips.height, board = Math.floor(chip / perBoard), within = chip % perBoard;
  const boardsWide = gridWidth / s.chips.width;
  const bx = board % boardsWide, by = Math.floor(board / boardsWide);
  return [bx * s.chips.width + (within % s.chips.width), by * s.chips.height + Math.floor(within / s.chips.width)];
}

/** Kind of a mesh link between neighbouring routers at x (or y) and x+1 along an axis. */
export function linkKind(t: Target, axis: "x" | "y", lo: number): "mesh" | "chip" | "board" {
  const s = systemOf(t);
  if (!s) return "mesh";
  const per = axis === "x" ? s.chipMesh.width : s.chipMesh.height;
  if ((lo + 1) % per !== 0) return "mesh";
  const chipsPer = axis === "x" ? s.chips.width : s.chips.height;
  return ((lo + 1) / per) % chipsPer === 0 && s.boards ? "board" : "chip";
}

/** Links of each kind on the X-then-Y path between two routers. */
export function pathKinds(t: Target, sx: number, sy: number, dx: number, dy: number): { mesh: number; chip: number; board: number } {
  const out = { mesh: 0, chip: 0, board: 0 };
  for (let x = Math.min(sx, dx); x < Math.max(sx, dx); x++) out[linkKind(t, "x", x)]++;
  for (let y = Math.min(sy, dy); y < Math.max(sy, dy); y++) out[linkKind(t, "y", y)]++;
  return out;
}

/** Chip-boundary crossings between two routers (chip and board links). */
export function chipCrossings(t: Target, sx: number, sy: number, dx: number, dy: number): number {
  const s = systemOf(t);
  if (!s) return 0;
  const cw = s.chipMesh.width, ch = s.chipMesh.height;
  return Math.abs(Math.floor(sx / cw) - Math.floor(dx / cw)) + Math.abs(Math.floor(sy / ch) - Math.floor(dy / ch));
}

/** Cores per chip of a target (all of them on a single chip). */
export function coresPerChip(t: Target): number {
  return systemOf(t)?.coresPerChip ?? t.cores;
}

/** The message when a network needs more cores than a target has: the chips it needs, named. */
export function tooFewCores(t: Target, needed: number): string {
  const s = systemOf(t), per = coresPerChip(t), chips = Math.ceil(needed / per);
  const head = `the network needs ${needed} cores; ${t.name} has ${t.cores}`;
  if (!s) return `${head}: it needs ${chips} ${t.name} chips of ${per} cores; compile for a system of at least ${chips} chips (systemTarget(), or a preset such as nahuku32 or spinnaker2-48)`;
  return `${head} (${chipCount(s)} ${s.chip} chips): it needs ${chips} ${s.chip} chips of ${per} cores; use a system of at least ${chips} chips`;
}
