/** Scale-out on BullMQ over Redis: workers, clustered sweeps and batch runs, data-parallel training, status. */
export { PREFIX, QUEUES, redisTarget, connectRedis, type QueueName, type RedisTarget } from "./connection.js";
export { BlobStore, BLOB_TTL_S, blobKey } from "./blobs.js";
export { encodeData, decodeData, packArrays, unpackArrays, sha256 } from "./codec.js";
export {
  JOB_FORMAT,
  type JobData,
  type SweepJob,
  type RunJob,
  type TrainJob,
  type EvalJob,
  type Envelope,
} from "./jobs.js";
export { startWorker, workerKey, type WorkerOptions, type WorkerInfo, type RunningWorker } from "./worker.js";
export {
  ClusterClient,
  progressNote,
  explain,
  type ClusterProgress,
  type ClusterRunOptions,
  type Outcome,
} from "./client.js";
export { clusterSweep, pointLabel, type ClusterSweepOptions } from "./sweep.js";
export {
  runBatch,
  listInputs,
  readLabels,
  aggregate,
  predicted,
  readoutLayer,
  stem,
  type BatchOutcome,
  type BatchAggregate,
  type BatchOptions,
} from "./batch.js";
export { clusterStepper, clusterEvaluate, type ClusterTrainOptions, type ClusterEvalOptions } from "./train.js";
export { clusterStatus, formatStatus, type ClusterStatus } from "./status.js";
