package psyche.chain.local.psyche;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import psyche.chain.Keypair;
import psyche.client.ChainClient;
import psyche.client.ChainClients;
import psyche.coordinator.Coordinator;
import psyche.coordinator.CoordinatorState;
import psyche.coordinator.DataAssignment;
import psyche.coordinator.Hashing;
import psyche.coordinator.Pubkey;
import psyche.coordinator.Round;
import psyche.coordinator.RunState;

/**
 * The local chain's opt-in reproducible mode: round seeds from (base, epoch, step) instead of the clock, so the same
 * run driven at other wall times gets the same seeds and data assignment; the default stays the clock's seed.
 */
class LocalChain_LogicalRoundSeedsTest {
    /** What one epoch of three seeded clients saw: step → round seed, and step → the signers by batch start. */
    record Seen(Map<Long, Long> seeds, Map<Long, String> assignments, List<Pubkey> signers, long epoch) {}

    static Seen epoch(long startMillis, OptionalLong logicalSeeds, OptionalLong keySeed) {
        try (PsycheChain c = new PsycheChain(startMillis, logicalSeeds)) {
            Keypair owner = c.funded();
            c.authorize(owner, Pubkey.SYSTEM);
            PsycheChain.Run run = c.createRun(owner, "seeded", owner.publicKey());
            c.send(owner, c.coordinator.update(owner.publicKey(), run.instance(), run.account(), c.configUpdate(PsycheChain.tinyConfig())));
            c.send(owner, c.coordinator.setPaused(owner.publicKey(), run.instance(), run.account(), false));
            ChainClients.Builder b = ChainClients.builder(c.rpc, "seeded").optReliable(3).optClock(c::now);
            keySeed.ifPresent(b::optKeySeed);
            Map<Long, Long> seeds = new TreeMap<>();
            Map<Long, String> assignments = new TreeMap<>();
            try (ChainClients clients = b.build()) {
                c.drive(clients, 400, () -> {
                    if (clients.lastState() == null) return false;
                    CoordinatorState s = clients.lastState().coordinator();
                    Round r = Coordinator.currentRound(s);
                    if (s.runState() == RunState.RoundTrain && r != null) {
                        seeds.put(s.progress().step(), r.randomSeed());
                        StringBuilder who = new StringBuilder();
                        new TreeMap<>(DataAssignment.assign(s)).forEach((batch, id) -> who.append(batch).append('=')
                                .append(id.signer().toBase58(), 0, 6).append(' '));
                        assignments.put(s.progress().step(), who.toString());
                    }
                    return s.progress().epoch() >= 1 && s.runState() == RunState.WaitingForMembers;
                });
                long epoch = clients.lastState().coordinator().progress().epoch();
                return new Seen(seeds, assignments, clients.clients().stream().map(ChainClient::signer).toList(), epoch);
            }
        }
    }

    @Test void logicalSeedsAndSeededKeysGiveTheSameRoundsAtAnyWallTime() {
        Seen a = epoch(1_800_000_000_000L, OptionalLong.of(42), OptionalLong.of(7));
        Seen b = epoch(1_900_000_123_456L, OptionalLong.of(42), OptionalLong.of(7));
        assertEquals(1, a.epoch());
        assertEquals(1, b.epoch());
        assertEquals(a.signers(), b.signers(), "keys derived from the same seed");
        assertTrue(a.seeds().size() >= 2, () -> "rounds seen " + a.seeds());
        assertEquals(a.seeds(), b.seeds());
        assertEquals(a.assignments(), b.assignments());
        // a round of step k > 1 in epoch 0 starts from RoundWitness of step k - 1: seeded by that, not by the clock
        long first = a.seeds().keySet().stream().filter(k -> k > 1).findFirst().orElseThrow();
        assertEquals(Hashing.logicalRoundSeed(42, 0, first - 1, RunState.RoundWitness), a.seeds().get(first), a.seeds()::toString);
        // every round its own seed
        assertEquals(a.seeds().size(), new java.util.HashSet<>(a.seeds().values()).size(), a.seeds()::toString);
    }

    @Test void byDefaultSeedsFollowTheClockAndKeysAreFresh() {
        Seen a = epoch(1_800_000_000_000L, OptionalLong.empty(), OptionalLong.empty());
        Seen b = epoch(1_900_000_123_456L, OptionalLong.empty(), OptionalLong.empty());
        assertTrue(a.seeds().size() >= 2 && b.seeds().size() >= 2, () -> a.seeds() + " / " + b.seeds());
        for (Long step : a.seeds().keySet()) {
            if (b.seeds().containsKey(step)) assertNotEquals(a.seeds().get(step), b.seeds().get(step), "step " + step);
        }
        assertNotEquals(a.signers(), b.signers());
    }
}
