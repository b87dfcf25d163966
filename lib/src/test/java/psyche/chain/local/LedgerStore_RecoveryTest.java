package psyche.chain.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2p.solanaj.core.Account;
import org.p2p.solanaj.core.AccountMeta;
import org.p2p.solanaj.core.TransactionInstruction;

import psyche.chain.Rent;
import psyche.coordinator.Hashing;
import psyche.coordinator.Pubkey;

/** Crash recovery of a large program account (coordinator-sized) from the log's byte-range diffs. */
class LedgerStore_RecoveryTest {
    private static final Pubkey PROGRAM = Pubkey.of(Hashing.sha256("counter-program".getBytes()));

    @Test void largeAccountIsRebuiltFromDiffsAfterACrash(@TempDir Path dir) throws IOException {
        Path live = dir.resolve("live");
        Pubkey big = Pubkey.of(Hashing.sha256("coordinator-account".getBytes()));
        byte[] initial = new byte[119_160];
        new Random(1).nextBytes(initial);
        initial[0] = initial[1] = initial[2] = initial[3] = initial[4] = initial[5] = initial[6] = initial[7] = 0;
        MutableClock clock = new MutableClock(1_700_000_000_000L);
        Account payer = new Account();
        byte[] liveData;
        long walAfterSetup;
        try (Ledger ledger = Ledger.open(live, false, clock, List.of(new Ledger_ProgramSpiTest.CounterProgram()))) {
            ledger.airdrop(SolanajTransactions.key(payer), Rent.LAMPORTS_PER_SOL);
            ledger.setAccount(big, new AccountState(Rent.exemptMinimum(initial.length), PROGRAM, initial, false, AccountState.DEFAULT_RENT_EPOCH));
            walAfterSetup = Files.size(live.resolve("wal.log"));
            for (int i = 0; i < 5; i++) {
                clock.advance(java.time.Duration.ofMillis(Ledger.SLOT_MILLIS)); // a new blockhash: a new signature
                byte[] tx = SolanajTransactions.sign(Pubkey.base58Encode(ledger.latestBlockhash()), List.of(payer),
                        new TransactionInstruction(SolanajTransactions.pk(PROGRAM),
                                List.of(new AccountMeta(SolanajTransactions.pk(big), false, true)), new byte[] {0}));
                assertTrue(ledger.submit(WireTransaction.parse(tx), true).succeeded());
            }
            long perTransaction = (Files.size(live.resolve("wal.log")) - walAfterSetup) / 5;
            assertTrue(perTransaction < 4_000, "a few changed bytes are logged, not the 119 KB account: " + perTransaction + " B");
            liveData = ledger.account(big).data();
            crashCopy(live, dir.resolve("crashed"));
        }
        assertEquals(5, liveData[0]);
        try (Ledger recovered = Ledger.open(dir.resolve("crashed"), false, clock, List.of(new Ledger_ProgramSpiTest.CounterProgram()))) {
            assertArrayEquals(liveData, recovered.account(big).data());
            assertEquals(Rent.exemptMinimum(initial.length), recovered.account(big).lamports());
            assertEquals(6, recovered.transactionCount(), "the airdrop and five increments");
        }
    }

    @Test void snapshotsTakenWhileTransactionsFlowLoseNothing(@TempDir Path dir) throws Exception {
        Path live = dir.resolve("live");
        MutableClock clock = new MutableClock(1_700_000_000_000L);
        List<Pubkey> targets = new java.util.ArrayList<>();
        java.util.Map<Pubkey, Long> expected = new java.util.HashMap<>();
        try (Ledger ledger = Ledger.open(live, false, clock, List.of(), 2_000)) { // a snapshot every ~3 records
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int i = 0; i < 60; i++) {
                Pubkey target = Pubkey.of(Hashing.sha256(("t" + i).getBytes()));
                long amount = Rent.LAMPORTS_PER_SOL + i;
                targets.add(target);
                expected.put(target, amount);
                done.add(pool.submit(() -> ledger.airdrop(target, amount)));
            }
            for (var f : done) f.get();
            pool.shutdown();
            crashCopy(live, dir.resolve("crashed"));
        }
        try (Ledger recovered = Ledger.open(dir.resolve("crashed"), false, clock, List.of())) {
            for (Pubkey t : targets) assertEquals(expected.get(t), recovered.account(t).lamports());
            assertEquals(60, recovered.transactionCount());
        }
    }

    @Test void diffRangesCoverEveryChangedByte() {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            byte[] old = new byte[1 + random.nextInt(300)];
            random.nextBytes(old);
            byte[] now = old.clone();
            for (int k = random.nextInt(6); k > 0; k--) now[random.nextInt(now.length)] ^= (byte) (1 + random.nextInt(255));
            byte[] rebuilt = old.clone();
            for (int[] range : LedgerStore.diff(old, now)) System.arraycopy(now, range[0], rebuilt, range[0], range[1]);
            assertArrayEquals(now, rebuilt);
        }
    }

    private static void crashCopy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals("ledger.lock")) Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }
}
