package psyche.client;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import psyche.chain.Authorization;
import psyche.chain.CoordinatorInstructions;
import psyche.chain.Instruction;
import psyche.chain.Keypair;
import psyche.chain.Pdas;
import psyche.chain.Transaction;
import psyche.chain.WitnessMetadata;
import psyche.chain.rpc.RpcClient;
import psyche.chain.rpc.RpcException;
import psyche.chain.rpc.RpcTypes;
import psyche.chain.rpc.TransactionFailedException;
import psyche.coordinator.Client;
import psyche.coordinator.ClientPolicy;
import psyche.coordinator.Coordinator;
import psyche.coordinator.CoordinatorState;
import psyche.coordinator.Hashing;
import psyche.coordinator.HealthCheck;
import psyche.coordinator.InstanceState;
import psyche.coordinator.NodeIdentity;
import psyche.coordinator.Pubkey;
import psyche.coordinator.Round;
import psyche.coordinator.SolanaClient;
import psyche.coordinator.Witness;
import psyche.sim.Behaviour;

/**
 * One simulated client on a chain: its own keypair (the signer) and p2p identity, following the run as a Psyche
 * client does. Each {@link #act} looks at the coordinator state and sends what a client would: {@code join_run}
 * in WaitingForMembers (authorization: the permissionless grant {@code 111…1} first, then one for its own key; with
 * neither it gives up, it never retries endlessly), {@code warmup_witness} in Warmup, {@code witness} when selected
 * in RoundTrain/RoundWitness with a participant bloom of the peers it heard, {@code health_check} for epoch clients
 * the previous round's witnesses did not hear, and (when asked to) {@code tick} when a tick would change the state.
 * Not thread safe: {@link ChainClients} drives its clients from one thread.
 */
public final class ChainClient implements AutoCloseable {
    /** Where the client stands with the run's join authorization. */
    public enum Authorized { UNKNOWN, YES, NO }

    private final ChainClients.RunAccounts run;
    private final RpcClient rpc;
    private final Keypair keypair;
    private final Keypair p2pKey; // the p2p identity is an ed25519 key, as Psyche's iroh node id
    private final NodeIdentity identity;
    private final Behaviour behaviour;
    private final String name;
    private final java.util.Random random; // bloom filter seeds
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final List<String> errors = new ArrayList<>();
    private Authorized authorized = Authorized.UNKNOWN;
    private Pubkey authorization;
    private long joinedForActive = -1;
    private String witnessedRound = "";
    private final Set<String> healthChecked = new HashSet<>();

    ChainClient(String name, ChainClients.RunAccounts run, RpcClient rpc, Keypair keypair, Behaviour behaviour) {
        this(name, run, rpc, keypair, Keypair.generate(), new SecureRandom(), behaviour);
    }

    /** With a given p2p key and bloom-seed source (reproducible sessions derive both from a seed). */
    ChainClient(String name, ChainClients.RunAccounts run, RpcClient rpc, Keypair keypair, Keypair p2pKey,
                java.util.Random random, Behaviour behaviour) {
        this.p2pKey = Objects.requireNonNull(p2pKey, "p2pKey");
        this.random = Objects.requireNonNull(random, "random");
        this.name = name;
        this.run = run;
        this.rpc = rpc;
        this.keypair = keypair;
        this.behaviour = Objects.requireNonNull(behaviour, "behaviour");
        this.identity = new NodeIdentity(keypair.publicKey(), p2pKey.publicKey());
    }

    public String name() { return name; }

    /**
     * This client claims everything it earned in a treasurer run ({@code run-manager treasurer-claim-rewards} as the
     * participant): the transaction is signed here with the client's own key, which never leaves it.
     */
    public psyche.ops.ClaimRewards.Result claimRewards(psyche.ops.Cluster cluster) {
        return psyche.ops.ClaimRewards.execute(cluster, keypair, run.runId(), java.util.OptionalLong.empty(),
                java.util.OptionalLong.empty());
    }

    /** Psyche's commitment signature: ed25519 by this client's p2p identity key over a result's data_hash. */
    public byte[] signCommitment(byte[] dataHash) { return p2pKey.sign(dataHash); }
    public Pubkey signer() { return keypair.publicKey(); }
    public NodeIdentity identity() { return identity; }
    public Behaviour behaviour() { return behaviour; }
    public Authorized authorized() { return authorized; }
    /** The authorization account it joins with, once found. */
    public Optional<Pubkey> authorization() { return Optional.ofNullable(authorization); }
    public long transactionsSent() { return sent.get(); }
    public long transactionsFailed() { return failed.get(); }
    /** The refusals it met (most recent last, at most 20). */
    public synchronized List<String> errors() { return List.copyOf(errors); }

    /** Whether its behaviour keeps it online {@code secondsSinceStart} after the clients started. */
    public boolean onlineAt(long secondsSinceStart) { return behaviour.onlineAt(secondsSinceStart); }

    /** Its registry entry (earned, slashed, active), if it has joined. */
    public Optional<SolanaClient> registryEntry(InstanceState s) {
        for (SolanaClient c : s.clientsState().clients()) if (c.id().signer().equals(signer())) return Optional.of(c);
        return Optional.empty();
    }

    /**
     * One look at the state and what follows from it. {@code heard} says which epoch clients it received results
     * from (the simulation knows who is online); {@code mayTick} lets this client send the tick. Returns the number
     * of transactions it sent.
     */
    int act(InstanceState s, long now, java.util.function.Predicate<NodeIdentity> heard, boolean mayTick) {
        return act(s, now, heard, HeardCommitments.SYNTHETIC, mayTick, true);
    }

    /**
     * As {@link #act(InstanceState, long, java.util.function.Predicate, boolean)}; {@code commitments} gives the
     * result commitments its witness puts in the broadcast bloom and merkle root, {@code mayWitness} false holds the
     * round's witness back.
     */
    int act(InstanceState s, long now, java.util.function.Predicate<NodeIdentity> heard, HeardCommitments commitments,
            boolean mayTick, boolean mayWitness) {
        CoordinatorState c = s.coordinator();
        int before = (int) sent.get();
        switch (c.runState()) {
            case WaitingForMembers -> maybeJoin(s);
            case Warmup -> maybeWarmupWitness(c, commitments);
            case RoundTrain, RoundWitness -> {
                if (mayWitness) maybeWitness(c, now, heard, commitments);
                maybeHealthCheck(c);
            }
            default -> { }
        }
        if (mayTick) maybeTick(s, now);
        return (int) sent.get() - before;
    }

    // ------------------------------------------------------------------ behaviours

    private void maybeJoin(InstanceState s) {
        if (authorized == Authorized.NO) return;
        if (!ClientPolicy.joinDue(s, identity)) return; // already pending for this epoch
        long nextActive = s.clientsState().nextActive();
        if (joinedForActive == nextActive) return; // sent already; the state read may predate it
        if (authorization == null && !findAuthorization()) return;
        Instruction ix = run.coordinator().joinRun(signer(), authorization, run.instance(), run.account(), identity);
        send(ix);
        // sent or refused, not again this epoch: a refusal does not heal by retrying (no endless rejoin loop)
        joinedForActive = nextActive;
        if (Long.valueOf(2003).equals(lastFailureCode) || Long.valueOf(3012).equals(lastFailureCode)) {
            authorized = Authorized.NO; // the grant was revoked or closed since it was found
            remember("join authorization " + authorization + " no longer valid: not joining");
        }
    }

    /** Permissionless grant first, then one naming this client; NO when neither is valid (no endless retries). */
    private boolean findAuthorization() {
        Pdas pdas = run.pdas();
        for (Pubkey grantee : List.of(Pubkey.SYSTEM, signer())) {
            Pubkey address = pdas.joinAuthorization(run.joinAuthority(), grantee).address();
            RpcTypes.AccountInfo info;
            try {
                info = rpc.getAccountInfo(address.toBase58());
            } catch (RpcException e) {
                remember("authorization lookup failed: " + e.getMessage());
                return false;
            }
            if (info == null || info.data() == null || !run.ids().authorizer().toBase58().equals(info.owner())) continue;
            try {
                Authorization auth = Authorization.decode(info.data());
                if (auth.isValidFor(run.joinAuthority(), signer(), Pdas.Scopes.COORDINATOR_JOIN_RUN)) {
                    authorization = address;
                    authorized = Authorized.YES;
                    return true;
                }
            } catch (RuntimeException e) {
                remember("authorization " + address + " unreadable: " + e.getMessage());
            }
        }
        authorized = Authorized.NO;
        remember("no valid join authorization from " + run.joinAuthority() + " for " + signer()
                + " (neither the permissionless grant nor one for this key): not joining");
        return false;
    }

    private void maybeWarmupWitness(CoordinatorState c, HeardCommitments commitments) {
        if (behaviour instanceof Behaviour.NeverWitnesses) return;
        Optional<psyche.coordinator.WitnessProof> duty = ClientPolicy.warmupWitnessDuty(c, identity);
        if (duty.isEmpty()) return;
        String key = "warmup/" + c.progress().epoch() + "/" + c.epochState().startTimestamp();
        if (key.equals(witnessedRound)) return;
        Witness w = witness(duty.get(), c.epochState().clients(), x -> true, commitments, 0);
        Instruction ix = run.coordinator().permissionless(signer(), run.instance(), run.account(),
                new CoordinatorInstructions.WarmupWitness(w));
        if (send(ix)) witnessedRound = key;
    }

    private void maybeWitness(CoordinatorState c, long now, java.util.function.Predicate<NodeIdentity> heard,
                              HeardCommitments commitments) {
        if (behaviour instanceof Behaviour.NeverWitnesses) return;
        Optional<psyche.coordinator.WitnessProof> duty = ClientPolicy.witnessDuty(c, identity);
        if (duty.isEmpty()) return;
        Round round = Coordinator.currentRound(c);
        String key = c.progress().epoch() + "/" + round.height() + "/" + round.randomSeed();
        if (key.equals(witnessedRound)) return;
        psyche.coordinator.WitnessProof proof = duty.get();
        Witness w = witness(proof, c.epochState().clients(), heard, commitments, round.height());
        try {
            Coordinator.witness(c, identity, w, now); // the program would refuse it: don't spend a transaction
        } catch (RuntimeException refused) {
            witnessedRound = key;
            return;
        }
        Instruction ix = run.coordinator().permissionless(signer(), run.instance(), run.account(),
                new CoordinatorInstructions.WitnessIx(w, new WitnessMetadata(c.progress().step(), 0f, 0f, 0f, List.of(),
                        List.of(), 0, 0f)));
        if (send(ix)) witnessedRound = key;
    }

    /**
     * The result commitments (Psyche's {@code data_hash}) a witness heard in a round: what goes into its broadcast
     * bloom and merkle root. Empty for a peer whose result it does not hold (it may still be in the participant bloom).
     */
    @FunctionalInterface
    public interface HeardCommitments {
        Optional<byte[]> of(NodeIdentity peer, long roundHeight);

        /** For simulated clients, which train nothing: {@link #syntheticCommitment} for every heard peer. */
        HeardCommitments SYNTHETIC = (peer, height) -> Optional.of(syntheticCommitment(height, peer));
    }

    /**
     * A stand-in for the data hash of a result that does not exist (simulated clients train nothing):
     * {@code sha256(u64le(round height) ‖ signer)}. Real training puts {@code DistroResult.commitment()} instead.
     */
    public static byte[] syntheticCommitment(long roundHeight, NodeIdentity peer) {
        return Hashing.sha256(Hashing.u64le(roundHeight), peer.signer().bytes());
    }

    /**
     * The policy's witness ({@link ClientPolicy#witness}) with what this client heard: itself and the peers
     * {@code heard} says, the commitments of their results, fresh bloom seeds. Psyche's merkle root covers every
     * broadcast the client applied in arrival order, its peers' "finished" broadcasts included; our clients send no
     * finished broadcasts and the order is made deterministic, so the root is the same on every witness that heard
     * the same results.
     */
    private Witness witness(psyche.coordinator.WitnessProof proof, List<Client> clients,
                            java.util.function.Predicate<NodeIdentity> heard, HeardCommitments commitments, long height) {
        return ClientPolicy.witness(proof, clients, id -> id.equals(identity) || heard.test(id),
                id -> commitments.of(id, height), random.nextLong(), random.nextLong());
    }

    /** A witness of the current round sends the health checks the policy finds due (each once), never about itself. */
    private void maybeHealthCheck(CoordinatorState c) {
        if (behaviour instanceof Behaviour.NeverWitnesses) return;
        if (ClientPolicy.witnessDuty(c, identity).isEmpty()) return;
        Round round = Coordinator.currentRound(c);
        for (HealthCheck check : ClientPolicy.healthChecks(c)) {
            if (check.id().equals(identity)) continue;
            String key = c.progress().epoch() + "/" + round.height() + "/" + check.id();
            if (!healthChecked.add(key)) continue;
            send(run.coordinator().permissionless(signer(), run.instance(), run.account(),
                    new CoordinatorInstructions.HealthCheck(check)));
        }
    }

    /** Ticks when the program's tick would move the run now ({@link ClientPolicy#tickDue}). */
    private void maybeTick(InstanceState s, long now) {
        if (ClientPolicy.tickDue(s, now)) send(run.coordinator().tick(signer(), run.instance(), run.account()));
    }

    // ------------------------------------------------------------------ sending

    /**
     * Signs {@code instructions} with this client's key (as fee payer) and sends them, e.g. a treasurer claim for the
     * points this simulated client earned. Returns the signature; a refusal throws the RPC client's typed exception.
     */
    public String submit(List<Instruction> instructions) {
        List<Instruction> ixs = List.copyOf(instructions);
        String sig = rpc.sendAndConfirm(bh -> Transaction.build(signer(), ixs, bh.blockhash(), keypair).toWire());
        sent.incrementAndGet();
        return sig;
    }

    private Long lastFailureCode;

    private boolean send(Instruction ix) {
        lastFailureCode = null;
        try {
            rpc.sendAndConfirm(bh -> Transaction.build(signer(), List.of(ix), bh.blockhash(), keypair).toWire());
            sent.incrementAndGet();
            return true;
        } catch (TransactionFailedException e) {
            // the state moved between the read and the send (another client ticked, a duplicate witness): normal
            failed.incrementAndGet();
            lastFailureCode = e.customCode();
            remember(describe(ix) + ": " + e.getMessage());
            return false;
        } catch (RpcException e) {
            failed.incrementAndGet();
            remember(describe(ix) + ": " + e.getMessage());
            return false;
        }
    }

    private static String describe(Instruction ix) {
        try {
            return CoordinatorInstructions.decode(ix.data()).name();
        } catch (RuntimeException e) {
            return "instruction";
        }
    }

    private synchronized void remember(String error) {
        errors.add(error);
        if (errors.size() > 20) errors.remove(0);
    }

    @Override public void close() {
        keypair.close();
        p2pKey.close();
    }

    @Override public String toString() {
        return "ChainClient[" + name + " " + signer() + ", " + behaviour.label() + ", sent " + sent + ", failed " + failed + "]";
    }
}
