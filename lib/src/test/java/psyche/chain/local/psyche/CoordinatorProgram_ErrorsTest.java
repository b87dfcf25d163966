package psyche.chain.local.psyche;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import psyche.chain.AccountMeta;
import psyche.chain.CoordinatorAccountCodec;
import psyche.chain.CoordinatorInstructions;
import psyche.chain.Instruction;
import psyche.chain.Keypair;
import psyche.chain.rpc.TransactionFailedException;
import psyche.coordinator.NodeIdentity;
import psyche.coordinator.Pubkey;

/** Anchor constraint failures and program errors, each with its code and log line, and atomic rollback. */
class CoordinatorProgram_ErrorsTest {
    static PsycheChain c;
    static Keypair owner;
    static PsycheChain.Run run;
    static PsycheChain.Run other;

    @BeforeAll static void start() {
        c = new PsycheChain();
        owner = c.funded();
        run = c.createRun(owner, "errors-run", owner.publicKey());
        other = c.createRun(owner, "other-run", owner.publicKey());
    }

    @AfterAll static void stop() { c.close(); }

    Instruction ratesIx(Pubkey authority, Pubkey instance, Pubkey account) {
        return c.coordinator.setFutureEpochRates(authority, instance, account, Optional.of(7L), Optional.empty());
    }

    @Test void wrongMainAuthorityIsConstraintRaw() {
        Keypair stranger = c.funded();
        TransactionFailedException e = c.fails(2003, stranger, ratesIx(stranger.publicKey(), run.instance(), run.account()));
        PsycheChain.assertLogged(e, "AnchorError caused by account: coordinator_instance. Error Code: ConstraintRaw. Error Number: 2003.");
        assertEquals("ConstraintRaw", e.errorName());
    }

    @Test void authorityThatDoesNotSignIsAccountNotSigner() {
        Keypair payer = c.funded();
        Instruction ix = new Instruction(c.ids.coordinator(), List.of(AccountMeta.readonly(owner.publicKey()),
                AccountMeta.readonly(run.instance()), AccountMeta.writable(run.account())),
                new CoordinatorInstructions.SetFutureEpochRates(Optional.of(1L), Optional.empty()).data());
        PsycheChain.assertLogged(c.fails(3010, payer, ix), "Error Code: AccountNotSigner. Error Number: 3010");
    }

    @Test void readonlyCoordinatorAccountIsConstraintMut() {
        Instruction ix = new Instruction(c.ids.coordinator(), List.of(AccountMeta.signer(owner.publicKey()),
                AccountMeta.readonly(run.instance()), AccountMeta.readonly(run.account())),
                new CoordinatorInstructions.SetFutureEpochRates(Optional.of(1L), Optional.empty()).data());
        PsycheChain.assertLogged(c.fails(2000, owner, ix), "Error Code: ConstraintMut. Error Number: 2000");
    }

    @Test void accountOfAnotherRunIsConstraintRaw() {
        PsycheChain.assertLogged(c.fails(2003, owner, ratesIx(owner.publicKey(), run.instance(), other.account())),
                "caused by account: coordinator_account");
    }

    @Test void missingInstanceIsAccountNotInitialized() {
        Pubkey nowhere = c.pdas.coordinatorInstance("never-created").address();
        PsycheChain.assertLogged(c.fails(3012, owner, ratesIx(owner.publicKey(), nowhere, run.account())),
                "Error Code: AccountNotInitialized. Error Number: 3012");
    }

    @Test void coordinatorAccountInPlaceOfInstanceIsDiscriminatorMismatch() {
        c.fails(3002, owner, ratesIx(owner.publicKey(), run.account(), run.account()));
    }

    @Test void accountOwnedByAnotherProgramIsOwnedByWrongProgram() {
        Pubkey auth = c.authorize(owner, Pubkey.SYSTEM);
        c.fails(3007, owner, ratesIx(owner.publicKey(), auth, run.account()));
    }

    @Test void updateWhileRunningIsUpdateConfigNotHaltedAndRollsBackTheWholeTransaction() {
        Keypair o = c.funded();
        PsycheChain.Run r = c.createRun(o, "running-run", o.publicKey());
        c.send(o, c.coordinator.update(o.publicKey(), r.instance(), r.account(), c.configUpdate(PsycheChain.tinyConfig())));
        c.send(o, c.coordinator.setPaused(o.publicKey(), r.instance(), r.account(), false));
        byte[] before = c.account(r.account()).data();
        TransactionFailedException e = c.fails(6001, o, List.of(ratesIx(o.publicKey(), r.instance(), r.account()),
                c.coordinator.update(o.publicKey(), r.instance(), r.account(), c.configUpdate(PsycheChain.tinyConfig()))));
        PsycheChain.assertLogged(e, "AnchorError occurred. Error Code: UpdateConfigNotHalted. Error Number: 6001. "
                + "Error Message: Cannot update config when not halted.");
        assertEquals(1, e.instructionIndex());
        assertArrayEquals(before, c.account(r.account()).data(), "the first instruction's rates were rolled back");
        // closing a running run is refused too
        c.fails(6009, o, c.coordinator.freeCoordinator(o.publicKey(), o.publicKey(), r.instance(), r.account()));
    }

    @Test void unpausingWithoutConfigIsConfigSanityCheckFailed() {
        PsycheChain.assertLogged(c.fails(6004, owner, c.coordinator.setPaused(owner.publicKey(), other.instance(), other.account(), false)),
                "Error Number: 6004");
    }

    @Test void runIdLongerThan32BytesIsRunIdInvalidLength() {
        Keypair account = Keypair.generate();
        long rent = c.rpc.getMinimumBalanceForRentExemption(CoordinatorAccountCodec.SIZE);
        // the builder derives the PDA from the run id and refuses long ones: build the instruction by hand
        Pubkey somePda = c.pdas.coordinatorInstance("x").address();
        Instruction init = new Instruction(c.ids.coordinator(), List.of(AccountMeta.signerWritable(owner.publicKey()),
                AccountMeta.writable(somePda), AccountMeta.writable(account.publicKey()), AccountMeta.readonly(c.ids.system())),
                new CoordinatorInstructions.InitCoordinator(owner.publicKey(), owner.publicKey(), "a".repeat(33), "test").data());
        c.fails(6023, owner, List.of(c.natives.createAccount(owner.publicKey(), account.publicKey(), rent,
                CoordinatorAccountCodec.SIZE, c.ids.coordinator()), init), account);
    }

    @Test void wrongSizeAccountIsCoordinatorAccountIncorrectSizeAndWrongPdaIsConstraintSeeds() {
        Keypair small = Keypair.generate();
        long rent = c.rpc.getMinimumBalanceForRentExemption(1000);
        c.fails(6002, owner, List.of(c.natives.createAccount(owner.publicKey(), small.publicKey(), rent, 1000, c.ids.coordinator()),
                c.coordinator.initCoordinator(owner.publicKey(), small.publicKey(),
                        new CoordinatorInstructions.InitCoordinator(owner.publicKey(), owner.publicKey(), "small-run", "test"))), small);
        Keypair account = Keypair.generate();
        Instruction wrongPda = new Instruction(c.ids.coordinator(), List.of(AccountMeta.signerWritable(owner.publicKey()),
                AccountMeta.writable(c.pdas.coordinatorInstance("another").address()), AccountMeta.writable(account.publicKey()),
                AccountMeta.readonly(c.ids.system())),
                new CoordinatorInstructions.InitCoordinator(owner.publicKey(), owner.publicKey(), "seeded", "test").data());
        c.fails(2006, owner, List.of(c.natives.createAccount(owner.publicKey(), account.publicKey(),
                c.rpc.getMinimumBalanceForRentExemption(CoordinatorAccountCodec.SIZE), CoordinatorAccountCodec.SIZE,
                c.ids.coordinator()), wrongPda), account);
    }

    @Test void joinWithoutAuthorizationIsAccountNotInitializedAndAnInactiveOneIsConstraintRaw() {
        Keypair o = c.funded();
        PsycheChain.Run r = c.createRun(o, "closed-run", o.publicKey());
        Keypair user = c.funded();
        Pubkey missing = c.pdas.joinAuthorization(o.publicKey(), Pubkey.SYSTEM).address();
        NodeIdentity id = new NodeIdentity(user.publicKey(), user.publicKey());
        c.fails(3012, user, c.coordinator.joinRun(user.publicKey(), missing, r.instance(), r.account(), id));
        c.send(o, c.authorizer.create(o.publicKey(), o.publicKey(), user.publicKey(), psyche.chain.Pdas.Scopes.COORDINATOR_JOIN_RUN));
        Pubkey inactive = c.pdas.joinAuthorization(o.publicKey(), user.publicKey()).address();
        PsycheChain.assertLogged(c.fails(2003, user, c.coordinator.joinRun(user.publicKey(), inactive, r.instance(), r.account(), id)),
                "caused by account: authorization");
        c.send(o, c.authorizer.grantorUpdate(o.publicKey(), inactive, true));
        Keypair intruder = c.funded();
        c.fails(6008, user, c.coordinator.joinRun(user.publicKey(), inactive, r.instance(), r.account(),
                new NodeIdentity(intruder.publicKey(), intruder.publicKey())));
        // Quirk: an unconfigured run has global_batch_size_end = 0 = registered clients
        c.fails(6022, user, c.coordinator.joinRun(user.publicKey(), inactive, r.instance(), r.account(), id));
        c.send(o, c.coordinator.update(o.publicKey(), r.instance(), r.account(), c.configUpdate(PsycheChain.tinyConfig())));
        c.send(user, c.coordinator.joinRun(user.publicKey(), inactive, r.instance(), r.account(), id));
        assertEquals(user.publicKey(), c.coordinatorAccount(r.account()).state().clientsState().clients().get(0).id().signer());
        // a tick on a halted (Uninitialized) run is the coordinator's Halted error
        c.fails(6015, user, c.coordinator.tick(user.publicKey(), r.instance(), r.account()));
    }

    @Test void freeCoordinatorClosesBothAccountsToTheSpill() {
        Keypair o = c.funded();
        PsycheChain.Run r = c.createRun(o, "closing-run", o.publicKey());
        long before = c.rpc.getBalance(o.publicKey().toBase58());
        long held = c.account(r.instance()).lamports() + c.account(r.account()).lamports();
        c.send(o, c.coordinator.freeCoordinator(o.publicKey(), o.publicKey(), r.instance(), r.account()));
        assertEquals(null, c.account(r.instance()));
        assertEquals(null, c.account(r.account()));
        assertEquals(before + held - 5_000, c.rpc.getBalance(o.publicKey().toBase58()));
        assertFalse(held == 0);
    }

    @Test void unknownInstructionIsFallbackNotFound() {
        Instruction ix = new Instruction(c.ids.coordinator(), List.of(AccountMeta.signer(owner.publicKey())), new byte[8]);
        c.fails(101, owner, ix);
    }
}
