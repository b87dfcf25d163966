/**
 * Psyche clients that follow a run on a chain (the local one or any RPC) with real signed transactions:
 * join, warmup witness, round witness with participant blooms, health checks, ticks. They make a run move through
 * epochs and earn rewards without a GPU; training ({@code psyche.train.chain}) drives them with real results.
 * What they send is decided by {@link psyche.coordinator.ClientPolicy}, as in the simulator.
 */
package psyche.client;
