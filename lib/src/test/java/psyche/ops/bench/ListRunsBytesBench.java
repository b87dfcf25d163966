package psyche.ops.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import psyche.chain.CoordinatorAccountCodec;
import psyche.chain.Keypair;
import psyche.chain.ProgramIds;
import psyche.chain.local.LocalChain;
import psyche.chain.rpc.RpcClient;
import psyche.chain.rpc.RpcTypes.Filter;
import psyche.ops.Cluster;
import psyche.ops.CreateRun;
import psyche.ops.ListRuns;
import psyche.ops.TestTokens;

/**
 * list-runs: bytes received for {@code N} runs (default 100) with filters and a data slice, against the baseline
 * of fetching the same accounts whole (getProgramAccounts without dataSlice), both measured here on a loopback
 * local chain. Target: at least 100x fewer. Run: {@code mvn -o -q -pl lib test-compile exec:java ...} or from the IDE.
 */
public final class ListRunsBytesBench {
    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        try (LocalChain chain = LocalChain.builder().optInMemory().optRpcPort(0).start();
             RpcClient rpc = RpcClient.builder().optEndpoint(chain.rpcUrl()).optPollInterval(Duration.ofMillis(5)).build();
             Keypair owner = Keypair.generate()) {
            Cluster c = new Cluster(rpc, ProgramIds.MAINNET, false);
            TestTokens.airdrop(c, owner.publicKey(), (long) runs * 1_000_000_000L + 10_000_000_000L);
            for (int i = 0; i < runs; i++) CreateRun.execute(c, owner, CreateRun.Params.of(String.format("bench-run-%03d", i), "test"));

            long b0 = rpc.bytesReceived();
            List<ListRuns.Listed> listed = ListRuns.execute(c, Optional.empty());
            long sliced = rpc.bytesReceived() - b0;

            long b1 = rpc.bytesReceived();
            int whole = rpc.getProgramAccounts(ProgramIds.COORDINATOR.toBase58(), List.of(Filter.dataSize(CoordinatorAccountCodec.SIZE)), null).size();
            whole += rpc.getProgramAccounts(ProgramIds.COORDINATOR.toBase58(), new ArrayList<>(List.of(Filter.dataSize(173))), null).size();
            long full = rpc.bytesReceived() - b1;

            if (listed.size() != runs) throw new IllegalStateException("listed " + listed.size() + " runs, expected " + runs);
            System.out.printf("list-runs over %d runs: %,d bytes with filters + dataSlice (run_id, run_state: 33 of %,d bytes per account)%n",
                    runs, sliced, CoordinatorAccountCodec.SIZE);
            System.out.printf("baseline, whole accounts (%d fetched): %,d bytes%n", whole, full);
            System.out.printf("ratio: %.1fx fewer bytes (target >= 100x)%n", (double) full / sliced);
        }
    }
}
