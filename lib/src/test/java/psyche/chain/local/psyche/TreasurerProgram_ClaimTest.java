package psyche.chain.local.psyche;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import psyche.chain.CoordinatorAccountCodec;
import psyche.chain.CoordinatorInstance;
import psyche.chain.Keypair;
import psyche.chain.Participant;
import psyche.chain.Pdas;
import psyche.chain.TreasurerInstructions;
import psyche.chain.TreasurerRun;
import psyche.chain.TokenAccount;
import psyche.chain.rpc.TransactionFailedException;
import psyche.config.RunConfig;
import psyche.coordinator.Pubkey;
import psyche.coordinator.RunState;
import psyche.coordinator.SolanaClient;
import psyche.client.ChainClient;
import psyche.client.ChainClients;

/** A treasurer run end to end: create with collateral, update through the Run PDA, an epoch, claims as tokens. */
class TreasurerProgram_ClaimTest {
    static PsycheChain c;

    @BeforeAll static void start() { c = new PsycheChain(); }

    @AfterAll static void stop() { c.close(); }

    long tokens(Pubkey ata) { return TokenAccount.decode(c.account(ata).data()).amount(); }

    @Test void clientsClaimTheirPointsAsTokens() {
        Keypair owner = c.funded();
        Keypair mint = Keypair.generate();
        c.send(owner, List.of(c.natives.createAccount(owner.publicKey(), mint.publicKey(), c.rpc.getMinimumBalanceForRentExemption(82),
                82, c.ids.token()), c.natives.initializeMint(mint.publicKey(), 0, owner.publicKey(), Optional.empty())), mint);
        Pubkey ownerAta = c.pdas.associatedTokenAccount(owner.publicKey(), mint.publicKey()).address();
        c.send(owner, List.of(c.natives.createAssociatedTokenAccount(owner.publicKey(), owner.publicKey(), mint.publicKey(), false),
                c.natives.mintTo(mint.publicKey(), ownerAta, owner.publicKey(), 1_000_000)));
        c.authorize(owner, Pubkey.SYSTEM);

        String runId = "treasury-run";
        long index = Pdas.defaultTreasurerIndex(runId);
        Keypair account = Keypair.generate();
        c.send(owner, List.of(c.natives.createAccount(owner.publicKey(), account.publicKey(),
                c.rpc.getMinimumBalanceForRentExemption(CoordinatorAccountCodec.SIZE), CoordinatorAccountCodec.SIZE, c.ids.coordinator()),
                c.treasurer.runCreate(owner.publicKey(), mint.publicKey(), account.publicKey(),
                        new TreasurerInstructions.RunCreate(index, runId, "test", owner.publicKey(), owner.publicKey()))), account);
        Pubkey run = c.pdas.treasurerRun(index).address();
        Pubkey runAta = c.pdas.associatedTokenAccount(run, mint.publicKey()).address();
        Pubkey instance = c.pdas.coordinatorInstance(runId).address();
        TreasurerRun stored = TreasurerRun.decode(c.account(run).data());
        assertEquals(account.publicKey(), stored.coordinatorAccount());
        assertEquals(mint.publicKey(), stored.collateralMint());
        assertEquals(run, CoordinatorInstance.decode(c.account(instance).data()).mainAuthority(), "the Run PDA steers the coordinator");
        assertEquals(0, tokens(runAta));

        c.send(owner, c.natives.tokenTransfer(ownerAta, runAta, owner.publicKey(), 100_000)); // top-up
        RunConfig tiny = PsycheChain.tinyConfig();
        TreasurerInstructions.RunUpdate update = new TreasurerInstructions.RunUpdate(Optional.empty(), Optional.of(tiny.config()),
                Optional.of(tiny.model()), Optional.empty(), Optional.of(2_000L), Optional.empty(), Optional.of(false), Optional.empty());
        Keypair stranger = c.funded();
        PsycheChain.assertLogged(c.fails(2003, stranger, c.treasurer.runUpdate(stranger.publicKey(), run, instance, account.publicKey(), update)),
                "caused by account: run");
        // the owner can no longer update the coordinator directly: its main authority is the Run PDA
        c.fails(2003, owner, c.coordinator.setPaused(owner.publicKey(), instance, account.publicKey(), false));
        c.send(owner, c.treasurer.runUpdate(owner.publicKey(), run, instance, account.publicKey(), update));
        assertEquals(RunState.WaitingForMembers, c.coordinatorAccount(account.publicKey()).state().coordinator().runState());
        assertEquals(3, c.coordinatorAccount(account.publicKey()).nonce(), "update, set_future_epoch_rates, set_paused");

        try (ChainClients clients = ChainClients.builder(c.rpc, runId).optReliable(2).optClock(c::now).build()) {
            c.drive(clients, 400, () -> clients.lastState() != null && clients.lastState().coordinator().progress().epoch() >= 1);
            ChainClient first = clients.clients().get(0);
            SolanaClient entry = first.registryEntry(c.coordinatorAccount(account.publicKey()).state()).orElseThrow();
            assertEquals(1_000, entry.earned());

            Pubkey firstAta = c.pdas.associatedTokenAccount(first.signer(), mint.publicKey()).address();
            first.submit(List.of(c.natives.createAssociatedTokenAccount(first.signer(), first.signer(), mint.publicKey(), true),
                    c.treasurer.participantCreate(first.signer(), first.signer(), run)));
            TransactionFailedException tooMuch = assertThrows(TransactionFailedException.class, () -> first.submit(List.of(
                    c.treasurer.participantClaim(first.signer(), run, mint.publicKey(), account.publicKey(), 1_001))));
            assertEquals(6000L, tooMuch.customCode());
            PsycheChain.assertLogged(tooMuch, "Error Code: InvalidParameter. Error Number: 6000");
            first.submit(List.of(c.treasurer.participantClaim(first.signer(), run, mint.publicKey(), account.publicKey(), 600)));
            first.submit(List.of(c.treasurer.participantClaim(first.signer(), run, mint.publicKey(), account.publicKey(), 400)));
            assertEquals(1_000, tokens(firstAta));
            assertEquals(99_000, tokens(runAta));
            Participant p = Participant.decode(c.account(c.pdas.participant(run, first.signer()).address()).data());
            assertEquals(1_000, p.claimedEarnedPoints());
            assertEquals(1_000, p.claimedCollateralAmount());
            TreasurerRun after = TreasurerRun.decode(c.account(run).data());
            assertEquals(1_000, after.totalClaimedEarnedPoints());
            assertThrows(TransactionFailedException.class, () -> first.submit(List.of(
                    c.treasurer.participantClaim(first.signer(), run, mint.publicKey(), account.publicKey(), 1))));
            // someone else's participant account does not match the seeds of the signer
            ChainClient second = clients.clients().get(1);
            second.submit(List.of(c.natives.createAssociatedTokenAccount(second.signer(), second.signer(), mint.publicKey(), true)));
            Pubkey secondAta = c.pdas.associatedTokenAccount(second.signer(), mint.publicKey()).address();
            psyche.chain.Instruction stolen = new psyche.chain.Instruction(c.ids.treasurer(), List.of(
                    psyche.chain.AccountMeta.signer(second.signer()), psyche.chain.AccountMeta.writable(secondAta),
                    psyche.chain.AccountMeta.writable(run), psyche.chain.AccountMeta.writable(runAta),
                    psyche.chain.AccountMeta.readonly(account.publicKey()),
                    psyche.chain.AccountMeta.writable(c.pdas.participant(run, first.signer()).address()),
                    psyche.chain.AccountMeta.readonly(c.ids.token())),
                    new TreasurerInstructions.ParticipantClaim(1).data());
            TransactionFailedException seeds = assertThrows(TransactionFailedException.class, () -> second.submit(List.of(stolen)));
            assertEquals(2006L, seeds.customCode());
            assertTrue(tokens(secondAta) == 0);
        }
    }
}
