/**
 * The run owner's operations, one class each, shared by the notebook vocabulary ({@code psyche.Psyche},
 * {@code psyche.Run}) and the command line ({@code psyche.cli}): {@link psyche.ops.CreateRun},
 * {@link psyche.ops.CloseRun}, {@link psyche.ops.UpdateConfig}, {@link psyche.ops.SetPaused},
 * {@link psyche.ops.SetFutureEpochRates}, {@link psyche.ops.CheckpointRun}, {@link psyche.ops.TickRun},
 * {@link psyche.ops.JoinAuthorizations}, {@link psyche.ops.CanJoin}, {@link psyche.ops.JoinRun},
 * {@link psyche.ops.TopUpRewards}, {@link psyche.ops.ClaimRewards}, {@link psyche.ops.ListRuns},
 * {@link psyche.ops.JsonDumps}, {@link psyche.ops.DiagnoseRun}, {@link psyche.ops.TestTokens}; reads go through
 * {@link psyche.ops.RunSnapshot}, transactions through {@link psyche.ops.Cluster#send}.
 *
 * <p>Each operation checks what it can before signing (main authority, halted state, authorization, validation,
 * balances) and refuses with an {@link psyche.ops.OpsException} that says what to do; a program's own refusal is
 * reported by its error name with a hint. Nothing here retries: transport retries live in the RPC client, which
 * lands each transaction exactly once.
 */
package psyche.ops;
