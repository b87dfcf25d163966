package psyche.sim.bench;

import psyche.config.Architecture;
import psyche.config.Checkpoint;
import psyche.config.CoordinatorConfig;
import psyche.config.DataLocation;
import psyche.config.DataType;
import psyche.config.HubRepo;
import psyche.config.LlmModel;
import psyche.config.LrSchedule;
import psyche.config.Optimizer;
import psyche.coordinator.Blooms;
import psyche.coordinator.Client;
import psyche.coordinator.CommitteeSelection;
import psyche.coordinator.Coordinator;
import psyche.coordinator.CoordinatorState;
import psyche.coordinator.HealthCheck;
import psyche.coordinator.InstanceState;
import psyche.coordinator.NodeIdentity;
import psyche.coordinator.ProgramException;
import psyche.coordinator.Pubkey;
import psyche.coordinator.Round;
import psyche.coordinator.RunProgram;
import psyche.coordinator.RunState;
import psyche.coordinator.Witness;
import psyche.coordinator.WitnessBloom;
import psyche.coordinator.WitnessProof;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Engine benchmark (a program, not a test): 256 clients through 1,000 rounds of program instructions — every round
 * 32 witnesses with participant blooms, one rejected health check (a healthy client listed) and, every 10th round,
 * an accepted one (a client the witnesses did not see), plus 5 idle ticks. Baseline: the same loop with 1 client,
 * measured in the same run. Run:
 * <pre>
 * mvn -o -q -pl lib test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt && \
 *   java -cp lib/target/classes:lib/target/test-classes:$(cat lib/target/cp.txt) psyche.sim.bench.EngineBench
 * </pre>
 */
public final class EngineBench {
    static final long T0 = 1_700_000_000L;
    static final int ROUNDS = 1000;
    static final int IDLE_TICKS = 5;
    // the machine is shared: CPU time of this thread is reported beside wall time
    static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    record Result(int clients, long nanos, long cpuNanos, long ticks, long tickNanos, int witnesses, int healthChecks, int dropped, long step) {}

    public static void main(String[] args) {
        long wallStart = System.nanoTime();
        long cpuStart = CPU.getCurrentThreadCpuTime();
        Result cold = run(256);
        long coldWall = System.nanoTime() - wallStart;
        long coldCpu = CPU.getCurrentThreadCpuTime() - cpuStart;
        Result base = run(1);
        Result warm = run(256);
        Result baseWarm = run(1);
        print("256 clients, first (cold JVM) run", cold);
        print("256 clients, second run", warm);
        print("baseline: 1 client", baseWarm);
        System.out.printf("whole first run incl. setup: %.3f s wall, %.3f s CPU (target < 1 s)%n", coldWall / 1e9, coldCpu / 1e9);
        System.out.printf("ratio 256 clients / 1 client (second runs, CPU): %.1fx; wall %.1fx%n",
                (double) warm.cpuNanos / baseWarm.cpuNanos, (double) warm.nanos / baseWarm.nanos);
    }

    static void print(String name, Result r) {
        System.out.printf("%-36s %4d rounds in %7.1f ms wall (%7.1f ms CPU) = %8.0f rounds/s wall, %8.0f rounds/s CPU, "
                        + "%6.1f µs per tick (%d ticks), %d witnesses, %d health checks (%d dropped), final step %d%n",
                name, ROUNDS, r.nanos / 1e6, r.cpuNanos / 1e6, ROUNDS / (r.nanos / 1e9), ROUNDS / (r.cpuNanos / 1e9), r.tickNanos / 1e3 / r.ticks, r.ticks, r.witnesses, r.healthChecks, r.dropped, r.step);
    }

    static NodeIdentity id(int i) {
        byte[] s = new byte[32];
        byte[] p = new byte[32];
        s[0] = (byte) (i >> 8);
        s[1] = (byte) i;
        s[2] = 42;
        p[0] = (byte) i;
        return new NodeIdentity(Pubkey.of(s), Pubkey.of(p));
    }

    // a client hashes each peer's signer once, not every round
    static final java.util.Map<NodeIdentity, byte[]> ITEMS = new java.util.HashMap<>();

    static WitnessBloom participants(List<Client> clients, int except, long keySeed) {
        List<byte[]> items = new ArrayList<>(clients.size());
        for (int i = 0; i < clients.size(); i++) {
            if (i != except) items.add(ITEMS.computeIfAbsent(clients.get(i).id(), Blooms::participantItem));
        }
        return Blooms.add(Blooms.emptySeeded(keySeed), items.toArray(new byte[0][]));
    }

    static Result run(int n) {
        CoordinatorConfig config = new CoordinatorConfig(5, 5, 30, 1, 0, 100_000_000L, 1_000_000, 1, 1, 0, 1024, 1024, 0, 1);
        LlmModel model = new LlmModel(2048, 0, Architecture.HfLlama, new Checkpoint.Hub(HubRepo.of("bench/model")),
                DataType.Pretraining, new DataLocation.Dummy(), new LrSchedule.Constant(1e-4, 0, 0),
                new Optimizer.Distro(Optional.empty(), Optional.empty(), 0.999f, 2, 64, false));
        long start = System.nanoTime();
        long cpuStart = CPU.getCurrentThreadCpuTime();
        long now = T0;
        InstanceState s = RunProgram.create("bench", "bench");
        s = RunProgram.update(s, null, config, model, null);
        s = RunProgram.setFutureEpochRates(s, 1_000_000L, 0L);
        s = RunProgram.setPaused(s, false, now, 1);
        List<NodeIdentity> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) ids.add(id(i));
        for (NodeIdentity id : ids) s = RunProgram.join(s, id.signer(), id, now, 1);
        now += 2;
        s = RunProgram.tick(s, now, 2); // → Warmup
        now += 5;
        s = RunProgram.tick(s, now, 3); // → RoundTrain
        long ticks = 0;
        long tickNanos = 0;
        int witnesses = 0;
        int checks = 0;
        int dropped = 0;
        int hidden = -1;
        for (int round = 0; round < ROUNDS; round++) {
            CoordinatorState c = s.coordinator();
            if (c.runState() != RunState.RoundTrain) throw new IllegalStateException("round " + round + " in " + c.runState());
            Round r = Coordinator.currentRound(c);
            List<Client> clients = c.epochState().clients();
            // health-check traffic against the previous round
            Round prev = Coordinator.previousRound(c);
            if (r.height() >= 2 && prev != null && clients.size() > 2) {
                CommitteeSelection prevSel = Coordinator.selection(c, prev);
                NodeIdentity reporter = clients.get(0).id();
                try { // a healthy client listed: the program rejects the check
                    s = RunProgram.healthCheck(s, reporter.signer(), new HealthCheck(clients.get(1).id(), prevSel.committeeProof(1)), now, round);
                } catch (ProgramException expected) {
                    checks++;
                }
                if (hidden >= 0) {
                    s = RunProgram.healthCheck(s, reporter.signer(), new HealthCheck(clients.get(hidden).id(),
                            prevSel.committeeProof(hidden)), now, round);
                    checks++;
                    dropped++;
                }
            }
            // witnesses see everyone but (every 10th round) one client, who is reported next round. With ~256 items a
            // 1024-bit bloom is saturated (~30% false positives), so pick a client the bloom really does not contain.
            hidden = -1;
            WitnessBloom bloom = null;
            if (round % 10 == 9 && clients.size() > 2) {
                for (int j = clients.size() - 1; j > 1 && hidden < 0; j--) {
                    WitnessBloom b = participants(clients, j, round);
                    if (!Blooms.contains(b, ITEMS.computeIfAbsent(clients.get(j).id(), Blooms::participantItem))) {
                        hidden = j;
                        bloom = b;
                    }
                }
            }
            if (bloom == null) bloom = participants(clients, -1, round);
            CommitteeSelection sel = Coordinator.selection(s.coordinator(), r);
            now += 1;
            for (int i = 0; i < clients.size() && i < r.clientsLen(); i++) {
                WitnessProof p = sel.witnessProof(i);
                if (!p.witness()) continue;
                if (s.coordinator().runState() != RunState.RoundTrain) break;
                s = RunProgram.witness(s, clients.get(i).id().signer(), new Witness(p, bloom, bloom, new byte[32]), now, round);
                witnesses++;
            }
            for (int k = 0; k < IDLE_TICKS; k++) { // clients polling: nothing changes
                long t0 = System.nanoTime();
                s = RunProgram.tick(s, now, round);
                tickNanos += System.nanoTime() - t0;
                ticks++;
            }
            now += 1;
            long t0 = System.nanoTime();
            s = RunProgram.tick(s, now, now); // witness timeout → next round
            tickNanos += System.nanoTime() - t0;
            ticks++;
        }
        return new Result(n, System.nanoTime() - start, CPU.getCurrentThreadCpuTime() - cpuStart, ticks, tickNanos, witnesses, checks, dropped,
                s.coordinator().progress().step());
    }
}
