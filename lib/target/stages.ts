/**
 * The stages of a core's pipeline and what each costs (docs/cycle-models.md): axon in per message
 * received; synapse per message plus per synapse it reaches on the core; dendrite per synapse; soma
 * per neuron (active, inactive) and per spike; axon out per message sent. The cycle engine holds
 * them in cycles (fractions allowed), the SystemC model in ticks; one shape for both.
 */
export interface StageCosts {
  axonIn: number;
  synapsePerMessage: number;
  synapsePerSynapse: number;
  dendritePerSynapse: number;
  somaActive: number;
  somaInactive: number;
  spike: number;
  axonOut: number;
}
