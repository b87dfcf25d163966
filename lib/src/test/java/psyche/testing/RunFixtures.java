package psyche.testing;

import psyche.config.CoordinatorConfig;
import psyche.config.LlmModel;
import psyche.config.RunMetadata;
import psyche.coordinator.Client;
import psyche.coordinator.ClientState;
import psyche.coordinator.ClientsState;
import psyche.coordinator.CoordinatorState;
import psyche.coordinator.EpochState;
import psyche.coordinator.InstanceState;
import psyche.coordinator.NodeIdentity;
import psyche.coordinator.Progress;
import psyche.coordinator.Pubkey;
import psyche.coordinator.Rates;
import psyche.coordinator.Round;
import psyche.coordinator.RunState;
import psyche.coordinator.SolanaClient;

import java.util.List;

/** Hand-built run states for frame and chart tests. */
public final class RunFixtures {
    private RunFixtures() {}

    public static NodeIdentity node(int n) {
        byte[] key = new byte[32];
        key[0] = (byte) n;
        key[1] = (byte) 0xAB;
        return new NodeIdentity(Pubkey.of(key), Pubkey.of(key));
    }

    public static CoordinatorConfig config() {
        // warmup, cooldown, max_round_train, round_witness, warmup_tokens, epoch, total_steps,
        // init_min, min, witness_nodes, gbs_start, gbs_end, verification, wfm_extra
        return new CoordinatorConfig(10, 5, 10, 2, 1024, 60, 200, 2, 1, 1, 4, 8, 0, 3);
    }

    /** A model that validates clean apart from the Local-data warning (the tiny sample config's model). */
    public static LlmModel model() {
        return new LlmModel(128, 0, psyche.config.Architecture.HfLlama,
                new psyche.config.Checkpoint.Hub(psyche.config.HubRepo.of("psyche-workbench/llama-tiny")),
                psyche.config.DataType.Pretraining, new psyche.config.DataLocation.Local("datasets/tiny"),
                new psyche.config.LrSchedule.Cosine(1e-3, 0, 1e-4, 10, 200),
                new psyche.config.Optimizer.Distro(java.util.Optional.of(1.0f), java.util.Optional.empty(), 0.999f, 8, 64, true));
    }

    /**
     * A run in RoundTrain at height 2 of epoch 3: clients 1 and 2 in the epoch (2 dropped), client 3 exited at
     * height 1 (Withdrawn), client 4 registered but absent; clients 1 and 4 pending for the next epoch.
     */
    /**
     * A run in {@code state} at {@code step} with the head round at {@code height} (rounds 0..height stored),
     * the given epoch clients, client 3 exited at height 1 and the given earned points of clients 1-4.
     */
    public static InstanceState at(RunState state, int epochNo, long step, int height, List<Client> clients, long[] earned) {
        List<Round> rounds = new java.util.ArrayList<>();
        for (int h = 0; h < 4; h++) rounds.add(h <= height ? new Round(List.of(), h * 4L, 11 + h, h, 3, 0) : Round.empty());
        EpochState epoch = new EpochState(rounds, clients, List.of(new Client(node(3), ClientState.Withdrawn, 1)),
                height, 40, 0, 1_000, false, false);
        CoordinatorState c = new CoordinatorState("tiny-run", state, model(), config(),
                new Progress(epochNo, step, 0), epoch, 1_050, false);
        ClientsState registry = new ClientsState(List.of(
                new SolanaClient(node(1), earned[0], 0, 7),
                new SolanaClient(node(2), earned[1], 0, 6),
                new SolanaClient(node(3), earned[2], 0, 6),
                new SolanaClient(node(4), earned[3], 0, 7)), 7, new Rates(600, 10), new Rates(900, 0));
        return new InstanceState(new RunMetadata("tiny", "a test run", 1_000_000, 2048), c, registry, false, false, "test");
    }

    public static InstanceState training() {
        Round r0 = new Round(List.of(), 0, 11, 0, 3, 0);
        Round r1 = new Round(List.of(), 4, 12, 1, 3, 0);
        Round r2 = new Round(List.of(), 10, 13, 2, 2, 0);
        EpochState epoch = new EpochState(List.of(r0, r1, r2, Round.empty()),
                List.of(Client.healthy(node(1)), new Client(node(2), ClientState.Dropped, 0)),
                List.of(new Client(node(3), ClientState.Withdrawn, 1)), 2, 40, 0, 1_000, false, false);
        CoordinatorState c = new CoordinatorState("tiny-run", RunState.RoundTrain, model(), config(),
                new Progress(3, 42, 0), epoch, 1_050, false);
        ClientsState registry = new ClientsState(List.of(
                new SolanaClient(node(1), 300, 0, 7),
                new SolanaClient(node(2), 150, 0, 6),
                new SolanaClient(node(3), 100, 0, 6),
                new SolanaClient(node(4), 0, 0, 7)), 7, new Rates(600, 10), new Rates(900, 0));
        return new InstanceState(new RunMetadata("tiny", "a test run", 1_000_000, 2048), c, registry, false, false, "test");
    }
}
