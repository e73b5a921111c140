/** Hardware runners (vm, remote board, export), the board server and its protocol. */
export type { Runner, RunnerSpec, RunnerOptions, RunOptions, RunnerStatus, DeployInfo, Progress } from "./runner.js";
export { runners, createRunner } from "./registry.js";
export { VmRunner, programHash } from "./vm-runner.js";
export { RemoteRunner, remoteAddress } from "./remote.js";
export { ExportRunner, exportProgram, type ExportManifest } from "./export/runner.js";
export { programToNirGraph } from "./export/nir-graph.js";
export { TOOLCHAINS, compatibility, type Toolchain } from "./export/toolchains.js";
export { BoardServer, type ServeOptions } from "./server/server.js";
export { BoardCore, type CoreOptions, type Send } from "./server/core.js";
export { FairQueue } from "./server/queue.js";
export { generateKeys, readClientKeys, readServerKeys, readKey, z85Decode, type KeyRole, type ClientKeys, type ServerKeys } from "./keys.js";
export { DEFAULT_LIMITS, PROTOCOL_VERSION, REQUEST_SCHEMAS, REPLY_SCHEMAS, LIMITS_SCHEMA, type Limits, type Request, type Reply, type ServerStatus } from "./protocol/messages.js";
export { checkRequest, checkReply } from "./protocol/validate.js";
export { programFrames, programFromFrames, encodeResult, decodeResult } from "./protocol/codec.js";
export { startLoopbackBoard, type LoopbackBoard } from "./loopback.js";
