/** Training on TF.js: spiking layers, surrogate gradients, fused kernels, trainer, checkpoints, export. */
export { useBackend, activeBackend, describeBackend, BACKEND_ORDER, type BackendName, type BackendInfo } from "./backend.js";
export { surrogates, registerSurrogate, spikeFn, stopGradient, type Surrogate } from "./surrogates.js";
export { scanAttrs, weightShapes, isSpiking, isSynaptic, type LayerConfig, type ModelConfig, type NeuronKind, type PerNeuron } from "./config.js";
export { SpikingModel, spikingModel, initWeights, type ForwardOptions, type ForwardResult, type WeightMap } from "./model.js";
export { losses, mseCount, rateRegularisation, accuracy, countLogits, maxMembraneLogits, meanMembraneLogits, type LossFn, type LossEntry, type RateRegulariser } from "./losses.js";
export { optimizers, type OptimizerSpec } from "./optimizers.js";
export { fit, evaluate, describeFit, type FitOptions, type FitResult } from "./trainer.js";
export { parallelStepper, shardSizes, shardOf } from "./parallel.js";
export { objective, gradients, localStepper, type ObjectiveOptions, type Stepper, type StepResult } from "./step.js";
export { rematLayer } from "./remat.js";
export { saveCheckpoint, loadCheckpoint, type Checkpoint, type EpochLog } from "./checkpoint.js";
export { modelToGraph, graphToModel } from "./export.js";
export { fakeQuant, quantize, quantizeArray, type QuantSpec } from "./quant.js";
export { registerPhasorKernels, kernelsAvailable } from "./kernels/register.js";
