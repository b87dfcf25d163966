package psyche.client;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import psyche.chain.CoordinatorAccount;
import psyche.chain.CoordinatorInstance;
import psyche.chain.CoordinatorInstructions;
import psyche.chain.Keypair;
import psyche.chain.Pdas;
import psyche.chain.ProgramIds;
import psyche.chain.rpc.RpcClient;
import psyche.coordinator.InstanceState;
import psyche.coordinator.Pubkey;
import psyche.sim.Behaviour;

/**
 * Test helper: reliable {@link ChainClient}s with keypairs the test holds (so it can later sign claims as them),
 * stepped like {@link ChainClients#step()}. ChainClients makes its own keypairs; a claim needs the client's key.
 */
public final class KeyedChainClients implements AutoCloseable {
    private final RpcClient rpc;
    private final ChainClients.RunAccounts run;
    private final List<ChainClient> clients = new ArrayList<>();
    private final LongSupplier nowSeconds;

    public KeyedChainClients(RpcClient rpc, String runId, List<Keypair> keys, LongSupplier nowSeconds) {
        this.rpc = rpc;
        this.nowSeconds = nowSeconds;
        Pdas pdas = new Pdas(ProgramIds.MAINNET);
        Pubkey instance = pdas.coordinatorInstance(runId).address();
        CoordinatorInstance inst = CoordinatorInstance.decode(rpc.getAccountInfo(instance.toBase58()).data());
        this.run = new ChainClients.RunAccounts(ProgramIds.MAINNET, pdas, new CoordinatorInstructions(ProgramIds.MAINNET), runId,
                instance, inst.coordinatorAccount(), inst.joinAuthority());
        for (int i = 0; i < keys.size(); i++) {
            clients.add(new ChainClient("client-" + i, run, rpc, keys.get(i), Behaviour.reliable()));
        }
    }

    public InstanceState read() {
        return CoordinatorAccount.decode(rpc.getAccountInfo(run.account().toBase58()).data()).state();
    }

    /** Every client acts once on a fresh read; the first registered one may tick. Returns transactions sent. */
    public int step() {
        InstanceState s = read();
        long now = nowSeconds.getAsLong();
        int sent = 0;
        boolean tickerChosen = false;
        for (ChainClient c : clients) {
            boolean mayTick = !tickerChosen && c.registryEntry(s).isPresent();
            tickerChosen |= mayTick;
            int n = c.act(s, now, id -> true, mayTick);
            sent += n;
            if (n > 0) s = read();
        }
        return sent;
    }

    public List<String> errors() {
        List<String> all = new ArrayList<>();
        for (ChainClient c : clients) all.addAll(c.errors());
        return all;
    }

    /** Does not close the keypairs: the test owns them. */
    @Override public void close() {}
}
