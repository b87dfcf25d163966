package psyche.chain.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.p2p.solanaj.core.Account;
import org.p2p.solanaj.core.AccountMeta;
import org.p2p.solanaj.core.PublicKey;
import org.p2p.solanaj.core.TransactionInstruction;

import psyche.chain.Rent;
import psyche.coordinator.Hashing;
import psyche.chain.Pdas;
import psyche.coordinator.Pubkey;

/** The Program SPI as a plugged-in program (like Psyche's coordinator) uses it: data, lamports, logs, errors, CPI with PDA signers. */
class Ledger_ProgramSpiTest {
    private static final Pubkey COUNTER_ID = Pubkey.of(Hashing.sha256("counter-program".getBytes()));
    private static final long SOL = Rent.LAMPORTS_PER_SOL;

    /**
     * A test program. data[0]: 0 = increment the u64 in account 0 and log it; 1 = fail with custom error 6000;
     * 2 = pay data[1..9) lamports from its vault PDA ["vault"] (account 0) to account 1 through a system CPI signed
     * with the PDA's seeds; 3 = the same CPI without seeds; 4 = write into account 0 whatever its owner;
     * 5 = mint lamports out of nothing into account 0.
     */
    static final class CounterProgram implements Program {
        @Override public Pubkey id() { return COUNTER_ID; }

        @Override public void execute(InvokeContext ctx, List<AccountRef> accounts, byte[] data) {
            switch (data[0]) {
                case 0 -> {
                    AccountRef counter = accounts.get(0);
                    long next = ByteBuffer.wrap(counter.read(0, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong() + 1;
                    counter.write(0, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(next).array());
                    ctx.log("count " + next + " at slot " + ctx.slot());
                }
                case 1 -> {
                    ctx.log("AnchorError occurred. Error Code: UpdateConfigFinished. Error Number: 6000.");
                    throw ProgramFailure.custom(6000);
                }
                case 2, 3 -> {
                    Pdas.Pda vault = Pdas.find(COUNTER_ID, List.of("vault".getBytes()));
                    byte[] transfer = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(2)
                            .putLong(ByteBuffer.wrap(data, 1, 8).order(ByteOrder.LITTLE_ENDIAN).getLong()).array();
                    List<List<byte[]>> seeds = data[0] == 2
                            ? List.of(List.of("vault".getBytes(), new byte[] {(byte) vault.bump()})) : List.of();
                    ctx.invoke(Pubkey.SYSTEM, List.of(psyche.chain.AccountMeta.writable(vault.address(), true),
                            psyche.chain.AccountMeta.writable(accounts.get(1).key(), false)), transfer, seeds);
                }
                case 4 -> accounts.get(0).write(0, new byte[] {1});
                case 5 -> accounts.get(0).setLamports(accounts.get(0).lamports() + 1);
                default -> throw new ProgramFailure(InstructionError.INVALID_INSTRUCTION_DATA);
            }
        }
    }

    private MutableClock clock;
    private Ledger ledger;
    private Account payer;
    private Pubkey counter;

    @BeforeEach void start() {
        clock = new MutableClock(1_700_000_000_000L);
        ledger = Ledger.inMemory(clock, List.of(new CounterProgram()));
        payer = new Account();
        ledger.airdrop(SolanajTransactions.key(payer), 10 * SOL);
        counter = Pubkey.of(Hashing.sha256("counter-account".getBytes()));
        ledger.setAccount(counter, new AccountState(Rent.exemptMinimum(8), COUNTER_ID, new byte[8], false, AccountState.DEFAULT_RENT_EPOCH));
    }

    @AfterEach void stop() { ledger.close(); }

    private WireTransaction tx(byte[] data, AccountMeta... metas) {
        String blockhash = Pubkey.base58Encode(ledger.latestBlockhash());
        return WireTransaction.parse(SolanajTransactions.sign(blockhash, List.of(payer),
                new TransactionInstruction(SolanajTransactions.pk(COUNTER_ID), List.of(metas), data)));
    }

    private static AccountMeta meta(Pubkey key, boolean writable) {
        return new AccountMeta(SolanajTransactions.pk(key), false, writable);
    }

    @Test void ownedWritableAccountChangesAndLogsReadLikeSolanas() {
        TransactionRecord r = ledger.submit(tx(new byte[] {0}, meta(counter, true)), true);
        assertTrue(r.succeeded());
        assertArrayEquals(new byte[] {1, 0, 0, 0, 0, 0, 0, 0}, ledger.account(counter).data());
        assertEquals(List.of("Program " + COUNTER_ID + " invoke [1]", "Program log: count 1 at slot " + ledger.slot(),
                "Program " + COUNTER_ID + " consumed 1000 of 200000 compute units", "Program " + COUNTER_ID + " success"), r.logs());
    }

    @Test void customErrorIsReportedAs0x1770AndRollsBackEverything() {
        WireTransaction both = WireTransaction.parse(SolanajTransactions.sign(Pubkey.base58Encode(ledger.latestBlockhash()),
                List.of(payer),
                new TransactionInstruction(SolanajTransactions.pk(COUNTER_ID), List.of(meta(counter, true)), new byte[] {0}),
                new TransactionInstruction(SolanajTransactions.pk(COUNTER_ID), List.of(meta(counter, true)), new byte[] {1})));
        TransactionRejectedException e = assertThrows(TransactionRejectedException.class, () -> ledger.submit(both, true));
        assertEquals("Transaction simulation failed: Error processing Instruction 1: custom program error: 0x1770", e.getMessage());
        assertEquals(java.util.Map.of("InstructionError", List.of(1, java.util.Map.of("Custom", 6000L))), e.error().toJson());
        assertEquals("Program " + COUNTER_ID + " failed: custom program error: 0x1770", e.logs().get(e.logs().size() - 1));
        assertArrayEquals(new byte[8], ledger.account(counter).data(), "instruction 0's increment was rolled back");
        assertEquals(10 * SOL, ledger.account(SolanajTransactions.key(payer)).lamports(), "no fee for a preflight failure");
    }

    @Test void readonlyAccountCannotBeWritten() {
        TransactionRejectedException e = assertThrows(TransactionRejectedException.class,
                () -> ledger.submit(tx(new byte[] {0}, meta(counter, false)), true));
        assertEquals("ReadonlyDataModified", e.error().instructionError().name());
    }

    @Test void foreignAccountCannotBeWritten() {
        Pubkey foreign = Pubkey.of(Hashing.sha256("foreign".getBytes()));
        ledger.setAccount(foreign, new AccountState(Rent.exemptMinimum(8), Pubkey.SYSTEM, new byte[8], false, AccountState.DEFAULT_RENT_EPOCH));
        TransactionRejectedException e = assertThrows(TransactionRejectedException.class,
                () -> ledger.submit(tx(new byte[] {4}, meta(foreign, true)), true));
        assertEquals("ExternalAccountDataModified", e.error().instructionError().name());
    }

    @Test void lamportsCannotBeCreated() {
        TransactionRejectedException e = assertThrows(TransactionRejectedException.class,
                () -> ledger.submit(tx(new byte[] {5}, meta(counter, true)), true));
        assertEquals("UnbalancedInstruction", e.error().instructionError().name());
    }

    @Test void cpiWithPdaSeedsSignsForTheVaultAndWithoutSeedsEscalates() {
        Pubkey vault = Pdas.find(COUNTER_ID, List.of("vault".getBytes())).address();
        ledger.airdrop(vault, 5 * SOL);
        Pubkey receiver = Pubkey.of(Hashing.sha256("receiver".getBytes()));
        byte[] pay = ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN).put((byte) 2).putLong(SOL).array();
        AccountMeta system = new AccountMeta(new PublicKey(Pubkey.SYSTEM.bytes()), false, false);
        TransactionRecord r = ledger.submit(tx(pay, meta(vault, true), meta(receiver, true), system), true);
        assertTrue(r.succeeded(), String.valueOf(r.err()));
        assertEquals(SOL, ledger.account(receiver).lamports());
        assertEquals(4 * SOL, ledger.account(vault).lamports());
        assertTrue(r.logs().contains("Program 11111111111111111111111111111111 invoke [2]"), r.logs().toString());

        pay[0] = 3;
        TransactionRejectedException e = assertThrows(TransactionRejectedException.class,
                () -> ledger.submit(tx(pay, meta(vault, true), meta(receiver, true), system), true));
        assertEquals("PrivilegeEscalation", e.error().instructionError().name());
        assertTrue(e.logs().contains(vault + "'s signer privilege escalated"), e.logs().toString());
    }

    @Test void identicalAirdropsInOneSlotBothLand() {
        Pubkey target = Pubkey.of(Hashing.sha256("twice".getBytes()));
        TransactionRecord first = ledger.airdrop(target, SOL);
        TransactionRecord second = ledger.airdrop(target, SOL);
        assertTrue(!java.util.Arrays.equals(first.signature(), second.signature()));
        assertEquals(2 * SOL, ledger.account(target).lamports());
    }

    @Test void skipPreflightLandsTheFailureWithItsFee() {
        TransactionRecord r = ledger.submit(tx(new byte[] {1}, meta(counter, true)), false);
        assertEquals("InstructionError", r.err().name());
        assertEquals(5000, r.fee());
        assertEquals(10 * SOL - 5000, ledger.account(SolanajTransactions.key(payer)).lamports());
        assertTrue(ledger.transaction(r.signature()).isPresent());
    }
}
