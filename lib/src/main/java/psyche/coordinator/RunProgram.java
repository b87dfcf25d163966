package psyche.coordinator;

import psyche.config.Checkpoint;
import psyche.config.CoordinatorConfig;
import psyche.config.LlmModel;
import psyche.config.RunMetadata;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The Solana coordinator program's instruction logic ({@code instance_state.rs}, {@code clients_state.rs},
 * spec §3/§5/§7) as pure functions over {@link InstanceState}. Signature and authorization checks (is the signer
 * the main authority, is the join authorization valid) belong to the caller; {@code now} is the clock's unix
 * timestamp and {@code seed} the round seed ({@link Hashing#onChainRandomSeed} on chain). Refusals throw
 * {@link ProgramException}; nothing is changed on refusal (a failed transaction changes nothing).
 */
public final class RunProgram {
    private RunProgram() {}

    public static final int RUN_ID_MAX_LEN = 32;
    public static final int CLIENT_VERSION_MAX_LEN = 96;

    /** What a tick did: the new state and the engine's event. */
    public record Ticked(InstanceState state, TickResult.Event event) {}

    /** {@code init_coordinator}: a new Uninitialized run. */
    public static InstanceState create(String runId, String clientVersion) {
        if (runId.getBytes(StandardCharsets.UTF_8).length > RUN_ID_MAX_LEN) {
            throw new ProgramException(ProgramError.RunIdInvalidLength,
                    "'" + runId + "' is " + runId.getBytes(StandardCharsets.UTF_8).length + " bytes");
        }
        // init_coordinator.rs:65-66: FixedString::from_str_truncated keeps the first 96 bytes (here: whole characters)
        return InstanceState.created(runId, truncateUtf8(clientVersion, CLIENT_VERSION_MAX_LEN));
    }

    static String truncateUtf8(String s, int maxBytes) {
        if (s.getBytes(StandardCharsets.UTF_8).length <= maxBytes) return s;
        int bytes = 0, end = 0;
        while (end < s.length()) {
            int cp = s.codePointAt(end);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > maxBytes) break;
            bytes += n;
            end += Character.charCount(cp);
        }
        return s.substring(0, end);
    }

    /** Registered clients with {@code active == next_active}, in registration order: who enters the next epoch. */
    public static List<NodeIdentity> pendingClients(ClientsState cs) {
        List<NodeIdentity> out = new ArrayList<>();
        for (SolanaClient c : cs.clients()) if (c.active() == cs.nextActive()) out.add(c.id());
        return out;
    }

    /** {@code find_signer}: the registered identity of {@code signer}, or SignerNotAClient. */
    public static NodeIdentity findSigner(InstanceState s, Pubkey signer) {
        for (SolanaClient c : s.clientsState().clients()) if (c.id().signer().equals(signer)) return c.id();
        throw new ProgramException(ProgramError.SignerNotAClient, signer + " has not joined this run");
    }

    // ---------------------------------------------------------------- permissionless

    /** {@code tick}: advances the coordinator and applies the program's epoch bookkeeping. */
    public static InstanceState tick(InstanceState s, long now, long seed) { return tickDetailed(s, now, seed).state(); }

    public static Ticked tickDetailed(InstanceState s, long now, long seed) {
        boolean warmupFirst = s.isWarmupFirstTick();
        boolean trainingFirst = s.isTrainingFirstTick();
        ClientsState cs = s.clientsState();
        List<NodeIdentity> pending = null;
        if (s.coordinator().runState() == RunState.WaitingForMembers) {
            warmupFirst = true; // reset the first-tick flags for the coming epoch
            trainingFirst = true;
            pending = pendingClients(cs);
        }
        TickResult r;
        try {
            r = Coordinator.tick(s.coordinator(), pending, now, seed);
        } catch (CoordinatorException e) {
            throw ProgramException.of(e);
        }
        CoordinatorState c = r.state();
        if (r.event() == TickResult.Event.TICKED) {
            if (Coordinator.isWarmupJustStarting(c) && warmupFirst) {
                cs = new ClientsState(cs.clients(), cs.nextActive(), cs.futureEpochRates(), cs.futureEpochRates());
                warmupFirst = false;
            } else if (Coordinator.isTrainingJustStarting(c) && trainingFirst) {
                // the epoch's clients are fixed: everyone must re-join for the next epoch
                cs = new ClientsState(cs.clients(), cs.nextActive() + 1, cs.currentEpochRates(), cs.futureEpochRates());
                trainingFirst = false;
            }
        } else {
            // Quirk: the success flag is ignored, a failed warmup (EpochEnd(false)) pays out too
            cs = distributeEpochRewards(cs, c.epochState());
        }
        return new Ticked(new InstanceState(s.metadata(), c, cs, warmupFirst, trainingFirst, s.clientVersion()), r.event());
    }

    /**
     * Epoch-end bookkeeping: registry clients matched in order against the epoch's clients (and, separately, the
     * exited ones) by a two-pointer walk, as the program does. Healthy finishers earn
     * {@code earning_rate_total_shared / clients.len()} (integer division, non-healthy clients still in the list
     * count in the divisor); exited Ejected clients are slashed (Quirk: nothing sets Ejected, so never).
     * Quirk: the walk assumes both lists follow registration order; a client out of that order is skipped.
     */
    static ClientsState distributeEpochRewards(ClientsState cs, EpochState epoch) {
        List<Client> finished = epoch.clients();
        List<Client> exited = epoch.exitedClients();
        Rates rates = cs.currentEpochRates();
        List<SolanaClient> out = new ArrayList<>(cs.clients().size());
        int fi = 0;
        int ei = 0;
        boolean changed = false;
        for (SolanaClient client : cs.clients()) {
            long earned = client.earned();
            long slashed = client.slashed();
            if (fi < finished.size() && client.id().signer().equals(finished.get(fi).id().signer())) {
                if (finished.get(fi).state() == ClientState.Healthy) {
                    earned += Long.divideUnsigned(rates.earningRateTotalShared(), finished.size());
                }
                fi++;
            }
            if (ei < exited.size() && client.id().signer().equals(exited.get(ei).id().signer())) {
                if (exited.get(ei).state() == ClientState.Ejected) slashed += rates.slashingRatePerClient();
                ei++;
            }
            if (earned != client.earned() || slashed != client.slashed()) {
                changed = true;
                out.add(new SolanaClient(client.id(), earned, slashed, client.active()));
            } else {
                out.add(client);
            }
        }
        return changed ? new ClientsState(out, cs.nextActive(), cs.currentEpochRates(), cs.futureEpochRates()) : cs;
    }

    /**
     * {@code join_run}: {@code clientId.signer} must be the signer. An existing signer refreshes its identity (p2p
     * key) and becomes pending ({@code active = next_active}); a new one is refused when the registry already holds
     * {@code global_batch_size_end} clients (MoreClientsThanBatches) or 256 (ClientsFull). Ticks unless halted.
     */
    public static InstanceState join(InstanceState s, Pubkey signer, NodeIdentity clientId, long now, long seed) {
        if (!clientId.signer().equals(signer)) {
            throw new ProgramException(ProgramError.SignerMismatch,
                    "client_id.signer " + clientId.signer() + " but signed by " + signer);
        }
        ClientsState cs = s.clientsState();
        List<SolanaClient> clients = new ArrayList<>(cs.clients());
        int existing = -1;
        for (int i = 0; i < clients.size(); i++) {
            if (clients.get(i).id().signer().equals(clientId.signer())) { existing = i; break; }
        }
        if (existing >= 0) {
            SolanaClient old = clients.get(existing);
            clients.set(existing, new SolanaClient(clientId, old.earned(), old.slashed(), cs.nextActive()));
        } else {
            // Quirk: an equality test, as in the program; after lowering global_batch_size_end below the registered
            // count it never refuses again (only ClientsFull does)
            if (s.coordinator().config().globalBatchSizeEnd() == clients.size()) {
                throw new ProgramException(ProgramError.MoreClientsThanBatches,
                        clients.size() + " clients registered = global_batch_size_end");
            }
            if (clients.size() >= EpochState.MAX_CLIENTS) {
                throw new ProgramException(ProgramError.ClientsFull, "256 clients registered");
            }
            clients.add(new SolanaClient(clientId, 0, 0, cs.nextActive()));
        }
        InstanceState joined = withClients(s, new ClientsState(clients, cs.nextActive(), cs.currentEpochRates(),
                cs.futureEpochRates()));
        return joined.coordinator().runState().halted() ? joined : tick(joined, now, seed);
    }

    /** {@code witness}: signer must be registered; the engine's witness, then a tick. */
    public static InstanceState witness(InstanceState s, Pubkey signer, Witness witness, long now, long seed) {
        NodeIdentity id = findSigner(s, signer);
        CoordinatorState c = engine(() -> Coordinator.witness(s.coordinator(), id, witness, now));
        return tick(withCoordinator(s, c), now, seed);
    }

    /** {@code warmup_witness}: signer must be registered; the engine's warmup witness, then a tick. */
    public static InstanceState warmupWitness(InstanceState s, Pubkey signer, Witness witness, long now, long seed) {
        NodeIdentity id = findSigner(s, signer);
        CoordinatorState c = engine(() -> Coordinator.warmupWitness(s.coordinator(), id, witness, now, seed));
        return tick(withCoordinator(s, c), now, seed);
    }

    /** {@code health_check(id, committee, position, index)}: one check per transaction, then a tick. */
    public static InstanceState healthCheck(InstanceState s, Pubkey signer, HealthCheck check, long now, long seed) {
        NodeIdentity id = findSigner(s, signer);
        CoordinatorState c = engine(() -> Coordinator.healthCheck(s.coordinator(), id, List.of(check)).state());
        return tick(withCoordinator(s, c), now, seed);
    }

    /**
     * {@code checkpoint(repo)}: the signer must be registered and a client of the current epoch
     * (SignerNotAClient). Allowed while halted; ticks only when not halted.
     */
    public static InstanceState checkpoint(InstanceState s, Pubkey signer, Checkpoint repo, long now, long seed) {
        NodeIdentity id = findSigner(s, signer);
        int index = Coordinator.clientIndex(s.coordinator(), id);
        if (index < 0) throw new ProgramException(ProgramError.SignerNotAClient, signer + " is not a client of this epoch");
        CoordinatorState c = engine(() -> Coordinator.checkpoint(s.coordinator(), id, index, repo));
        InstanceState next = withCoordinator(s, c);
        return c.runState().halted() ? next : tick(next, now, seed);
    }

    // ---------------------------------------------------------------- owner (main authority)

    /**
     * {@code set_paused}. Pausing never ticks. Unpausing checks config and model, takes an Uninitialized run to
     * Paused with step 1 (the only way out of Uninitialized), checks progress, resumes, makes everyone re-join
     * ({@code next_active += 1}) and ticks.
     */
    public static InstanceState setPaused(InstanceState s, boolean paused, long now, long seed) {
        CoordinatorState c = s.coordinator();
        if (paused) return withCoordinator(s, engine(() -> Coordinator.pause(c, now)));
        // instance_state.rs:188-196: config, model, then the cold-start check on both
        List<String> cfg = SanityChecks.config(c.config(), null);
        if (!cfg.isEmpty()) throw new ProgramException(ProgramError.ConfigSanityCheckFailed, String.join("; ", cfg));
        List<String> mdl = SanityChecks.model(c.model());
        if (!mdl.isEmpty()) throw new ProgramException(ProgramError.ModelSanityCheckFailed, String.join("; ", mdl));
        List<String> cold = SanityChecks.coldStart(c.config(), c.model());
        if (!cold.isEmpty()) throw new ProgramException(ProgramError.ConfigSanityCheckFailed, String.join("; ", cold));
        CoordinatorState prepared = c;
        if (c.runState() == RunState.Uninitialized) {
            prepared = Coordinator.with(Coordinator.with(c, RunState.Paused),
                    new Progress(c.progress().epoch(), 1, c.progress().epochStartDataIndex()));
        }
        List<String> prog = SanityChecks.progress(prepared.progress());
        if (!prog.isEmpty()) throw new ProgramException(ProgramError.ProgressSanityCheckFailed, String.join("; ", prog));
        CoordinatorState start = prepared;
        CoordinatorState resumed = engine(() -> Coordinator.resume(start, now));
        ClientsState cs = s.clientsState();
        InstanceState next = new InstanceState(s.metadata(), resumed,
                new ClientsState(cs.clients(), cs.nextActive() + 1, cs.currentEpochRates(), cs.futureEpochRates()),
                s.isWarmupFirstTick(), s.isTrainingFirstTick(), s.clientVersion());
        return tick(next, now, seed);
    }

    /**
     * {@code update(metadata?, config?, model?, progress?)}: nothing on a Finished run; config, model and progress
     * only while halted (metadata any time); each checked before it is applied.
     */
    public static InstanceState update(InstanceState s, RunMetadata metadata, CoordinatorConfig config, LlmModel model,
                                       Progress progress) {
        CoordinatorState c = s.coordinator();
        if (c.runState() == RunState.Finished) {
            throw new ProgramException(ProgramError.UpdateConfigFinished, "run " + c.runId() + " is Finished");
        }
        if (!c.runState().halted() && (config != null || model != null || progress != null)) {
            throw new ProgramException(ProgramError.UpdateConfigNotHalted, "run is " + c.runState().display());
        }
        RunMetadata md = metadata != null ? metadata : s.metadata();
        if (config != null) {
            List<String> v = SanityChecks.config(config, null);
            if (!v.isEmpty()) throw new ProgramException(ProgramError.ConfigSanityCheckFailed, String.join("; ", v));
            c = Coordinator.with(c, config);
        }
        if (model != null) {
            List<String> v = SanityChecks.model(model);
            if (!v.isEmpty()) throw new ProgramException(ProgramError.ModelSanityCheckFailed, String.join("; ", v));
            c = Coordinator.with(c, model);
        }
        // instance_state.rs:318-322: a config or a model alone also runs the cold-start check on the result
        if (config != null || model != null) {
            List<String> v = SanityChecks.coldStart(c.config(), c.model());
            if (!v.isEmpty()) throw new ProgramException(ProgramError.ConfigSanityCheckFailed, String.join("; ", v));
        }
        if (progress != null) {
            List<String> v = SanityChecks.progress(progress);
            // Quirk: a bad progress is reported as ModelSanityCheckFailed (instance_state.rs::update)
            if (!v.isEmpty()) throw new ProgramException(ProgramError.ModelSanityCheckFailed, String.join("; ", v));
            c = Coordinator.with(c, progress);
        }
        return new InstanceState(md, c, s.clientsState(), s.isWarmupFirstTick(), s.isTrainingFirstTick(), s.clientVersion());
    }

    /** {@code update_client_version}: halted runs only, at most 96 bytes. */
    public static InstanceState updateClientVersion(InstanceState s, String newVersion) {
        Objects.requireNonNull(newVersion, "newVersion");
        if (!s.coordinator().runState().halted()) {
            throw new ProgramException(ProgramError.UpdateConfigNotHalted, "run is " + s.coordinator().runState().display());
        }
        if (newVersion.getBytes(StandardCharsets.UTF_8).length > CLIENT_VERSION_MAX_LEN) {
            throw new IllegalArgumentException("client version is at most 96 bytes, got "
                    + newVersion.getBytes(StandardCharsets.UTF_8).length);
        }
        return new InstanceState(s.metadata(), s.coordinator(), s.clientsState(), s.isWarmupFirstTick(),
                s.isTrainingFirstTick(), newVersion);
    }

    /** {@code set_future_epoch_rates}: either rate may be left unchanged (null); current rates follow at the next warmup. */
    public static InstanceState setFutureEpochRates(InstanceState s, Long earningRateTotalShared, Long slashingRatePerClient) {
        ClientsState cs = s.clientsState();
        Rates f = cs.futureEpochRates();
        Rates nf = new Rates(earningRateTotalShared != null ? earningRateTotalShared : f.earningRateTotalShared(),
                slashingRatePerClient != null ? slashingRatePerClient : f.slashingRatePerClient());
        return withClients(s, new ClientsState(cs.clients(), cs.nextActive(), cs.currentEpochRates(), nf));
    }

    // ---------------------------------------------------------------- helpers

    public static InstanceState withCoordinator(InstanceState s, CoordinatorState c) {
        return new InstanceState(s.metadata(), c, s.clientsState(), s.isWarmupFirstTick(), s.isTrainingFirstTick(),
                s.clientVersion());
    }

    public static InstanceState withClients(InstanceState s, ClientsState cs) {
        return new InstanceState(s.metadata(), s.coordinator(), cs, s.isWarmupFirstTick(), s.isTrainingFirstTick(),
                s.clientVersion());
    }

    private static CoordinatorState engine(java.util.function.Supplier<CoordinatorState> op) {
        try {
            return op.get();
        } catch (CoordinatorException e) {
            throw ProgramException.of(e);
        }
    }
}
