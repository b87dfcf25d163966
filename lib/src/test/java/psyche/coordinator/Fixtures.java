package psyche.coordinator;

import psyche.config.Checkpoint;
import psyche.config.CoordinatorConfig;
import psyche.config.DataLocation;
import psyche.config.DataType;
import psyche.config.Architecture;
import psyche.config.HubRepo;
import psyche.config.LlmModel;
import psyche.config.LrSchedule;
import psyche.config.Optimizer;
import psyche.config.RunMetadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Small builders shared by the engine tests. */
final class Fixtures {
    private Fixtures() {}

    static final long T0 = 1_700_000_000L;

    /** warmup 10, cooldown 5, train 6, witness 1, epoch 60, total 100, init/min 2, witness_nodes 0, gbs 8. */
    static CoordinatorConfig config() {
        return new CoordinatorConfig(10, 5, 6, 1, 0, 60, 100, 2, 2, 0, 8, 8, 0, 3);
    }

    static CoordinatorConfig config(long totalSteps, int minClients, int witnessNodes) {
        return new CoordinatorConfig(10, 5, 6, 1, 0, 60, totalSteps, minClients, minClients, witnessNodes, 8, 8, 0, 3);
    }

    static LlmModel model() {
        return new LlmModel(16, 0, Architecture.HfLlama, new Checkpoint.Hub(HubRepo.of("org/model")),
                DataType.Pretraining, new DataLocation.Dummy(), new LrSchedule.Constant(1e-4, 0, 0),
                new Optimizer.Distro(Optional.of(1f), Optional.empty(), 0.999f, 2, 64, false));
    }

    static NodeIdentity id(int i) {
        byte[] s = new byte[32];
        byte[] p = new byte[32];
        s[0] = (byte) (i >> 8);
        s[1] = (byte) i;
        s[31] = 7;
        p[0] = (byte) i;
        p[31] = 9;
        return new NodeIdentity(Pubkey.of(s), Pubkey.of(p));
    }

    static List<NodeIdentity> ids(int n) {
        List<NodeIdentity> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(id(i));
        return out;
    }

    /** A run configured and resumed at T0: WaitingForMembers, step 1, next_active 1. */
    static InstanceState started(CoordinatorConfig config) {
        InstanceState s = RunProgram.create("test-run", "test");
        s = RunProgram.update(s, new RunMetadata("t", "d", 1, 2), config, model(), null);
        return RunProgram.setPaused(s, false, T0, 1);
    }

    /** A bare coordinator in WaitingForMembers at T0 with the given config. */
    static CoordinatorState waiting(CoordinatorConfig config) {
        return started(config).coordinator();
    }

    /** A witness message carrying {@code proof} and a participant bloom holding every id in {@code seen}. */
    static Witness witness(WitnessProof proof, List<NodeIdentity> seen) {
        WitnessBloom participants = Blooms.emptySeeded(proof.index() + 1);
        for (NodeIdentity n : seen) participants = Blooms.add(participants, Blooms.participantItem(n));
        return new Witness(proof, participants, Blooms.emptySeeded(99), new byte[32]);
    }

    /** Enters Warmup with {@code n} clients (pending list given directly to the engine). */
    static CoordinatorState warmup(CoordinatorState waiting, int n) {
        TickResult r = Coordinator.tick(waiting, ids(n), T0 + 3, 5);
        if (r.state().runState() != RunState.Warmup) throw new AssertionError("not in warmup: " + r.state().runState());
        return r.state();
    }

    /** Every epoch client sends its witness (if it is a witness) for the current round, all seeing all clients. */
    static CoordinatorState witnessAll(CoordinatorState s, long now) {
        Round round = Coordinator.currentRound(s);
        CommitteeSelection sel = Coordinator.selection(s, round);
        List<NodeIdentity> all = new ArrayList<>();
        for (Client c : s.epochState().clients()) all.add(c.id());
        for (int i = 0; i < s.epochState().clients().size(); i++) {
            WitnessProof p = sel.witnessProof(i);
            if (!p.witness()) continue;
            if (s.runState() != RunState.RoundTrain && s.runState() != RunState.RoundWitness) break;
            s = Coordinator.witness(s, s.epochState().clients().get(i).id(), witness(p, all), now);
        }
        return s;
    }
}
