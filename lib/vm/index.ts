/** The neuromorphic VM: behavioural and cycle-accurate engines, counters, energy, NeuroBench metrics, debugging sessions. */
export { VmSession, runProgram, VmAbortError, type Condition, type SessionOptions, type Inspection } from "./session.js";
export { QUEUE_RING_BYTES } from "./network.js";
export type { EngineName, VmInput, VmInit, VmOptions, RunResult, Counts, Counters, SpikeList } from "./types.js";
export { zeroCounts, addCounts } from "./types.js";
export { loadModel, type VmModel, type VmLayer, type VmProjection } from "./model.js";
export { energyReport, si, type EnergyReport, type EnergyTerm, type EnergyOp } from "./energy.js";
export { energySummary, isUnpublished, type EnergyNa, type OpEnergy, type ReportedConstant } from "./energy.js";
export { chipTime, barrierSeconds, type ChipTime } from "./chip-time.js";
export { energyCounts, type EnergyCounts, type ActivityCounts } from "./energy-counts.js";
export { neurobench, type NeuroBenchMetrics } from "./neurobench.js";
export { coreModels, coreModelFor, type CoreModel, type Work } from "./cores/index.js";
export { Kernel, Module, Port } from "./cycle/kernel.js";
export type { CycleReport, LinkStats } from "./cycle/report.js";
export { genericMeshFloat, floatProgram } from "./float.js";
export { spikeAgreement, type Agreement } from "./agreement.js";
export { sweep, gridPoints, evaluate, type SweepGrid, type SweepRow, type SweepOptions, type SweepRun } from "./sweep.js";
export { runOracle, type OracleResult } from "./oracle.js";
