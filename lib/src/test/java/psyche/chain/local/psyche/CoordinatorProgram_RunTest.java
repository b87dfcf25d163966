package psyche.chain.local.psyche;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import psyche.chain.CoordinatorAccount;
import psyche.chain.CoordinatorInstance;
import psyche.chain.Keypair;
import psyche.coordinator.Pubkey;
import psyche.coordinator.RunState;
import psyche.coordinator.SolanaClient;
import psyche.client.ChainClients;

/** A whole run over JSON-RPC: authorization, create, config, rates, unpause, simulated clients through an epoch. */
class CoordinatorProgram_RunTest {
    static PsycheChain c;

    @BeforeAll static void start() { c = new PsycheChain(); }

    @AfterAll static void stop() { c.close(); }

    @Test void clientsDriveAWholeEpochAndEarn() {
        Keypair owner = c.funded();
        c.authorize(owner, Pubkey.SYSTEM);
        PsycheChain.Run run = c.createRun(owner, "epoch-run", owner.publicKey());

        CoordinatorInstance inst = CoordinatorInstance.decode(c.account(run.instance()).data());
        assertEquals(owner.publicKey(), inst.mainAuthority());
        assertEquals(run.account(), inst.coordinatorAccount());
        CoordinatorAccount created = c.coordinatorAccount(run.account());
        assertEquals(0, created.nonce());
        assertEquals(RunState.Uninitialized, created.state().coordinator().runState());
        assertEquals("epoch-run", created.state().coordinator().runId());

        c.send(owner, c.coordinator.update(owner.publicKey(), run.instance(), run.account(), c.configUpdate(PsycheChain.tinyConfig())));
        c.send(owner, c.coordinator.setFutureEpochRates(owner.publicKey(), run.instance(), run.account(), Optional.of(3_000L), Optional.empty()));
        c.send(owner, c.coordinator.setPaused(owner.publicKey(), run.instance(), run.account(), false));
        CoordinatorAccount unpaused = c.coordinatorAccount(run.account());
        assertEquals(3, unpaused.nonce());
        assertEquals(RunState.WaitingForMembers, unpaused.state().coordinator().runState());
        assertEquals(1, unpaused.state().coordinator().progress().step());

        try (ChainClients clients = ChainClients.builder(c.rpc, "epoch-run").optReliable(3).optClock(c::now).build()) {
            java.util.Set<RunState> seen = java.util.EnumSet.noneOf(RunState.class);
            c.drive(clients, 400, () -> {
                if (clients.lastState() == null) return false;
                seen.add(clients.lastState().coordinator().runState());
                return clients.lastState().coordinator().progress().epoch() >= 1
                        && clients.lastState().coordinator().runState() == RunState.WaitingForMembers;
            });
            CoordinatorAccount after = c.coordinatorAccount(run.account());
            assertEquals(1, after.state().coordinator().progress().epoch(), () -> "clients " + clients.clients() + " errors "
                    + clients.clients().get(0).errors());
            // Warmup ends within one step (the warmup witnesses start the first round at once), so it is rarely seen
            assertTrue(seen.containsAll(List.of(RunState.RoundTrain, RunState.RoundWitness, RunState.Cooldown)), seen::toString);
            assertTrue(after.state().coordinator().progress().step() > 2);
            assertEquals(3, after.state().clientsState().clients().size());
            for (SolanaClient sc : after.state().clientsState().clients()) assertEquals(1_000, sc.earned(), sc::toString);
            assertTrue(after.nonce() > unpaused.nonce());

            // after the epoch the run's checkpoint is P2P (Hub → P2P at cooldown); an epoch client's Hub upload keeps
            // it P2P with the new repo (P2P + Hub → P2P); the owner is no client (6007)
            psyche.client.ChainClient first = clients.clients().get(0);
            psyche.config.HubRepo repo = new psyche.config.HubRepo("psyche-workbench/llama-tiny-step3", Optional.of("abc123"));
            first.submit(List.of(c.coordinator.checkpoint(first.signer(), run.instance(), run.account(), repo)));
            assertEquals(new psyche.config.Checkpoint.P2P(repo),
                    c.coordinatorAccount(run.account()).state().coordinator().model().checkpoint());
            PsycheChain.assertLogged(c.fails(6007, owner, c.coordinator.checkpoint(owner.publicKey(), run.instance(), run.account(), repo)),
                    "Error Code: SignerNotAClient. Error Number: 6007");
        }
    }
}
