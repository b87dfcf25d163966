/**
 * Training clients that join a run on a chain (local or any RPC) and train for real: {@link
 * psyche.train.chain.ChainTraining} composes the chain-following {@link psyche.client.ChainClients} with the
 * model, DisTrO and data of {@link psyche.train}; {@link psyche.train.chain.ChainRoundDriver} is the chain's
 * {@link psyche.train.RoundDriver}, through which {@link psyche.train.RoundLoop} pulls the session's rounds.
 */
package psyche.train.chain;
