/** Event datasets (SHD/SSC, N-MNIST, DVS Gesture, plain arrays), transforms and batching. */
export * from "./events.js";
export { locateDataset, type DatasetSource } from "./locate.js";
export { readShd, readSsc, readHeidelbergFile, type ShdOptions } from "./shd.js";
export { readNmnist, parseNmnistBin, formatNmnistBin } from "./nmnist.js";
export { parseAedat31, formatAedat31 } from "./aedat.js";
export { readDvsGesture, parseGestureLabels, GESTURES } from "./dvsgesture.js";
export { toFrame, frameSlices, downsample, downsampledSize, denoise, timeJitter, type FrameSpec, type Frames, type DownsampleOptions, type TimeJitterOptions } from "./transforms.js";
export { batches, batchCount, shuffled, type Batch, type BatchOptions } from "./batching.js";
export { openDataset, isEventDataset, describeDataset, DATASET_NAMES, type Split } from "./open.js";
