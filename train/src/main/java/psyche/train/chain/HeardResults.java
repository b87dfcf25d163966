package psyche.train.chain;

import psyche.client.ChainClient;
import psyche.client.ChainClients;
import psyche.coordinator.InstanceState;
import psyche.coordinator.NodeIdentity;
import psyche.coordinator.RunState;
import psyche.train.chain.ResultsExchange.HeardResult;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where a session's trainers hand their results to the witness step: the results of the round in progress that this
 * session's clients hold (their own, and those fetched from peer sessions). The chain clients' next read witnesses
 * from it ({@link ChainClients.Participation}: whom each heard, with which commitment, whether all are in), following
 * {@code coordinator.ClientPolicy} as every client does; this class decides nothing about when to witness.
 */
final class HeardResults implements ChainClients.Participation {
    /** What the session holds for one step: its clients' results and those fetched from peer sessions. */
    record Round(long step, Map<NodeIdentity, HeardResult> results) {}

    private final Set<ChainClient> offline = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile Round round;
    private volatile Set<NodeIdentity> expected = Set.of();
    private volatile long readStep;

    /** The round whose results are held now (null: none since the last consensus). */
    Round round() { return round; }

    /** Holds {@code results} of {@code step}, whose assigned trainers are {@code expected}. */
    void hold(long step, Map<NodeIdentity, HeardResult> results, Set<NodeIdentity> expected) {
        this.expected = Set.copyOf(expected);
        this.round = new Round(step, results);
    }

    /** Whether every assigned trainer's result of the held round is in. */
    boolean complete() {
        Round r = round;
        return r != null && r.results().keySet().containsAll(expected);
    }

    /** The held round, handed to the consensus and forgotten. */
    Round take() {
        Round r = round;
        round = null;
        return r;
    }

    /** The step of the latest read (witnesses speak of that round's results only). */
    void read(long step) { this.readStep = step; }

    /** Takes {@code client} offline, as a crash would: it neither trains, publishes, witnesses nor ticks. */
    void takeOffline(ChainClient client) { offline.add(client); }

    @Override public boolean heard(ChainClient by, NodeIdentity peer) {
        Round r = round;
        return r != null && r.step() == readStep && r.results().containsKey(peer);
    }

    /** The real commitment of the result held for {@code peer}: what the witnesses put in their broadcast blooms. */
    @Override public Optional<byte[]> commitmentOf(ChainClient by, NodeIdentity peer, long roundHeight) {
        Round r = round;
        if (r == null || r.step() != readStep) return Optional.empty();
        HeardResult h = r.results().get(peer);
        return h == null ? Optional.empty() : Optional.of(h.commitment());
    }

    /** Psyche witnesses early once every result is in, else in RoundWitness with what it has. */
    @Override public boolean readyToWitness(ChainClient client, InstanceState state) {
        Round r = round;
        if (state.coordinator().runState() != RunState.RoundTrain || r == null
                || r.step() != state.coordinator().progress().step()) return true;
        return r.results().keySet().containsAll(expected);
    }

    @Override public boolean online(ChainClient client) { return !offline.contains(client); }
}
