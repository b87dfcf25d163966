package psyche.history;

import tech.tablesaw.api.Table;

/**
 * Everything recorded about one run, as Tablesaw tables:
 * <ul>
 *   <li>{@code states}: at, state, epoch, step, clients, pending_pause — one row per change;</li>
 *   <li>{@code rounds}: epoch, height, data_index, batch_size, witnesses, clients, first_seen;</li>
 *   <li>{@code rewards}: at, epoch, client, pubkey, earned, slashed — one row per change of a client's points;</li>
 *   <li>{@code health}: epoch, height, client, state, at — each epoch client's state at each round;</li>
 *   <li>{@code treasury}: at, funded, claimable, claimed, unclaimed, burn_per_epoch.</li>
 * </ul>
 */
public record History(String runId, Table states, Table rounds, Table rewards, Table health, Table treasury) {}
