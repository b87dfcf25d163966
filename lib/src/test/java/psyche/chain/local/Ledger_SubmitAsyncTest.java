package psyche.chain.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2p.solanaj.core.Account;
import org.p2p.solanaj.programs.SystemProgram;

import psyche.chain.Rent;
import psyche.coordinator.Pubkey;

/** submitAsync refuses exactly what submit refuses, the same way, and completes with what submit returns. */
class Ledger_SubmitAsyncTest {
    private static final long SOL = Rent.LAMPORTS_PER_SOL;

    private static WireTransaction transfer(Ledger ledger, Account payer, long lamports, byte[] blockhash) {
        return WireTransaction.parse(SolanajTransactions.sign(Pubkey.base58Encode(blockhash), List.of(payer),
                SystemProgram.transfer(payer.getPublicKey(), new Account().getPublicKey(), lamports)));
    }

    /** {@code tx} is refused by submit and by submitAsync (synchronously, as submit), with the same refusal. */
    private static void sameRefusal(Ledger ledger, WireTransaction tx, boolean preflight, TransactionError expected) {
        TransactionRejectedException sync = assertThrows(TransactionRejectedException.class, () -> ledger.submit(tx, preflight));
        TransactionRejectedException async = assertThrows(TransactionRejectedException.class, () -> ledger.submitAsync(tx, preflight));
        assertEquals(expected.name(), sync.error().name());
        assertEquals(sync.error(), async.error());
        assertEquals(sync.getMessage(), async.getMessage());
        assertEquals(sync.logs(), async.logs());
        assertEquals(sync.unitsConsumed(), async.unitsConsumed());
        assertEquals(sync.simulated(), async.simulated());
    }

    private static void refusalsAreTheSame(Ledger ledger) throws Exception {
        Account payer = new Account();
        ledger.airdrop(SolanajTransactions.key(payer), 2 * SOL);
        long count = ledger.transactionCount();
        long balance = ledger.account(SolanajTransactions.key(payer)).lamports();

        byte[] tampered = transfer(ledger, payer, SOL / 10, ledger.latestBlockhash()).bytes();
        tampered[5] ^= 1; // inside the first signature
        sameRefusal(ledger, WireTransaction.parse(tampered), true, TransactionError.SIGNATURE_FAILURE);
        byte[] unknownHash = new byte[32];
        unknownHash[0] = 7;
        sameRefusal(ledger, transfer(ledger, payer, SOL / 10, unknownHash), true, TransactionError.BLOCKHASH_NOT_FOUND);
        sameRefusal(ledger, transfer(ledger, new Account(), SOL / 10, ledger.latestBlockhash()), true, TransactionError.ACCOUNT_NOT_FOUND);
        // a transfer of more than the payer has fails in preflight: refused whole, with its logs
        WireTransaction tooMuch = transfer(ledger, payer, 5 * SOL, ledger.latestBlockhash());
        TransactionRejectedException preflight = assertThrows(TransactionRejectedException.class, () -> ledger.submit(tooMuch, true));
        assertTrue(preflight.simulated() && !preflight.logs().isEmpty(), "a preflight refusal carries the simulation");
        sameRefusal(ledger, tooMuch, true, preflight.error());
        assertEquals(count, ledger.transactionCount(), "a refusal committed something");
        assertEquals(balance, ledger.account(SolanajTransactions.key(payer)).lamports(), "a refusal charged a fee");

        // accepted: the future's record is the one reported; the same transaction again is refused by both
        List<TransactionRecord> told = new ArrayList<>();
        Ledger.CommitListener listener = (record, changed, slot) -> {
            synchronized (told) { told.add(record); }
        };
        ledger.addCommitListener(listener);
        WireTransaction ok = transfer(ledger, payer, SOL / 10, ledger.latestBlockhash());
        TransactionRecord record = ledger.submitAsync(ok, true).get(20, TimeUnit.SECONDS);
        ledger.removeCommitListener(listener);
        assertArrayEquals(ok.signature(), record.signature());
        assertSame(record, ledger.transaction(ok.signature()).orElseThrow());
        assertEquals(count + 1, ledger.transactionCount());
        synchronized (told) { assertEquals(List.of(record), told); }
        sameRefusal(ledger, ok, true, TransactionError.ALREADY_PROCESSED);
        sameRefusal(ledger, ok, false, TransactionError.ALREADY_PROCESSED);

        // without preflight a failing transaction lands and pays, as with submit
        TransactionRecord failed = ledger.submitAsync(transfer(ledger, payer, 5 * SOL, ledger.latestBlockhash()), false)
                .get(20, TimeUnit.SECONDS);
        assertNotNull(failed.err());
        assertEquals(preflight.error(), failed.err());
        assertEquals(count + 2, ledger.transactionCount());
    }

    @Test void inMemoryRefusalsAreThoseOfSubmit() throws Exception {
        try (Ledger ledger = Ledger.inMemory(Clock.systemUTC(), List.of())) {
            refusalsAreTheSame(ledger);
        }
    }

    @Test void durableRefusalsAreThoseOfSubmit(@TempDir Path dir) throws Exception {
        try (Ledger ledger = Ledger.open(dir.resolve("ledger"), true, Clock.systemUTC(), List.of())) {
            refusalsAreTheSame(ledger);
        }
    }

    @Test void aClosedLedgerRefusesBothAlike() {
        Ledger ledger = Ledger.inMemory(Clock.systemUTC(), List.of());
        Account payer = new Account();
        ledger.airdrop(SolanajTransactions.key(payer), SOL);
        WireTransaction tx = transfer(ledger, payer, SOL / 10, ledger.latestBlockhash());
        ledger.close();
        IllegalStateException sync = assertThrows(IllegalStateException.class, () -> ledger.submit(tx, true));
        IllegalStateException async = assertThrows(IllegalStateException.class, () -> ledger.submitAsync(tx, true));
        assertEquals(sync.getMessage(), async.getMessage());
    }

    @Test void snapshotsDueOnTheFlusherAreWrittenElsewhere(@TempDir Path dir) throws Exception {
        // a snapshot every few records: one due when the flusher completes a commit must not deadlock it
        Path at = dir.resolve("ledger");
        List<byte[]> signatures = new ArrayList<>();
        try (Ledger ledger = Ledger.open(at, true, Clock.systemUTC(), List.of(), 1_500)) {
            Account payer = new Account();
            ledger.airdrop(SolanajTransactions.key(payer), 10 * SOL);
            for (int i = 0; i < 40; i++) {
                WireTransaction tx = transfer(ledger, payer, SOL / 100 + i, ledger.latestBlockhash());
                signatures.add(tx.signature());
                ledger.submitAsync(tx, true).get(20, TimeUnit.SECONDS);
            }
        }
        try (Ledger reopened = Ledger.open(at, false, Clock.systemUTC(), List.of())) {
            for (byte[] s : signatures) assertTrue(reopened.transaction(s).isPresent(), "lost a confirmed transaction");
        }
    }
}
