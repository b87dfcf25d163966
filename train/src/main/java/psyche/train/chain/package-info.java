/**
 * Training clients that join a run on a chain (local or any RPC) and train for real: {@link
 * psyche.train.chain.ChainTraining} composes the chain-following {@link psyche.client.ChainClients} with the
 * model, DisTrO and data of {@link psyche.train}.
 */
package psyche.train.chain;
