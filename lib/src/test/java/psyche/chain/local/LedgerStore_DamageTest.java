package psyche.chain.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import psyche.chain.Rent;
import psyche.coordinator.Hashing;
import psyche.coordinator.Pubkey;

/**
 * Fault injection on the ledger's files: a damaged byte at every record and field of the log (length, checksum,
 * payload), torn tails at every byte of the last record, deleted and spliced records, deleted files and a damaged
 * snapshot. Every case either recovers every confirmed transaction or refuses to start, naming the damage and
 * changing nothing; the explicit repair keeps a copy and the records before the damage.
 */
class LedgerStore_DamageTest {
    private static final int TRANSACTIONS = 12;
    private static final MutableClock CLOCK = new MutableClock(1_700_000_000_000L);
    @TempDir static Path shared;
    private static Path crashed;            // a ledger as a kill -9 leaves it: genesis, log, no snapshot
    private static byte[] wal;
    private static List<int[]> frames;      // {offset, total frame length} of each log record; record 0 = the faucet's genesis
    private static final Map<Pubkey, Long> expected = new LinkedHashMap<>();

    @BeforeAll static void writeLedger() throws IOException {
        Path live = shared.resolve("live");
        try (Ledger ledger = Ledger.open(live, false, CLOCK, List.of())) {
            for (int i = 0; i < TRANSACTIONS; i++) {
                Pubkey target = target(i);
                ledger.airdrop(target, Rent.LAMPORTS_PER_SOL + i);
                expected.put(target, Rent.LAMPORTS_PER_SOL + i);
            }
            crashed = shared.resolve("crashed");
            copy(live, crashed);
        }
        wal = Files.readAllBytes(crashed.resolve("wal.log"));
        frames = frames(wal);
        assertEquals(TRANSACTIONS + 1, frames.size(), "the faucet's genesis record and one record per airdrop");
    }

    private static Pubkey target(int i) { return Pubkey.of(Hashing.sha256(("target-" + i).getBytes())); }

    /** Frames as the format defines them, read here independently of the store: 20-byte header, then [len][crc][payload]. */
    private static List<int[]> frames(byte[] log) {
        List<int[]> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(log);
        assertEquals(0x505359574C303032L, b.getLong(0), "log header magic");
        int pos = 20;
        while (pos < log.length) {
            int length = b.getInt(pos);
            out.add(new int[] {pos, 8 + length});
            pos += 8 + length;
        }
        assertEquals(log.length, pos);
        return out;
    }

    /** Opens a copy of {@code crashed} whose log is {@code log}: the transactions recovered, or the refusal. */
    private static Object open(Path dir, byte[] log) throws IOException {
        copy(crashed, dir);
        Files.write(dir.resolve("wal.log"), log);
        try (Ledger ledger = Ledger.open(dir, false, CLOCK, List.of())) {
            return ledger.transactionCount();
        } catch (LedgerDamagedException refused) {
            assertArrayEquals(log, Files.readAllBytes(dir.resolve("wal.log")), "a refused start changes nothing");
            return refused;
        }
    }

    @Test void intactCrashedLedgerRecoversEveryConfirmedTransaction(@TempDir Path dir) throws IOException {
        copy(crashed, dir);
        try (Ledger ledger = Ledger.open(dir, false, CLOCK, List.of())) {
            assertEquals(TRANSACTIONS, ledger.transactionCount());
            for (Map.Entry<Pubkey, Long> e : expected.entrySet()) assertEquals(e.getValue(), ledger.account(e.getKey()).lamports());
        }
    }

    @Test void aDamagedByteInAnyRecordAndFieldRefusesTheStartAndNamesTheDamage(@TempDir Path dir) throws IOException {
        int cases = 0;
        for (int r = 0; r < frames.size(); r++) {
            int offset = frames.get(r)[0];
            int size = frames.get(r)[1];
            // length field (high and low byte), checksum, payload: sequence, type, middle, last byte
            int[] positions = {offset, offset + 3, offset + 4, offset + 7, offset + 8, offset + 8 + 8, offset + size / 2, offset + size - 1};
            for (int at : positions) {
                for (int bit : new int[] {0x01, 0x80}) {
                    byte[] log = wal.clone();
                    log[at] ^= (byte) bit;
                    Object outcome = open(dir.resolve("r" + r + "-" + at + "-" + bit), log);
                    if (!(outcome instanceof LedgerDamagedException e)) {
                        fail("record " + r + ", byte " + at + " bit " + bit + ": started with " + outcome + " transactions instead of refusing");
                        return;
                    }
                    String m = e.getMessage();
                    assertTrue(m.contains("wal.log is damaged at byte " + offset + ", record " + (r + 1)), m);
                    int transactionsBefore = Math.max(0, r - 1);
                    assertTrue(m.contains("the " + r + " records before it hold " + transactionsBefore + " transactions"), m);
                    int after = frames.size() - 1 - r;
                    if (after == 0) assertTrue(m.contains("no intact record follows it"), m);
                    else assertTrue(m.contains(after + " intact records follow it, holding " + after + " confirmed transactions"), m);
                    assertTrue(m.contains("--repair"), m);
                    assertFalse(m.contains("--reset"), m);
                    cases++;
                }
            }
        }
        assertEquals(frames.size() * 16, cases);
    }

    @Test void aTornTailAtEveryByteOfTheLastRecordKeepsEveryEarlierRecord(@TempDir Path dir) throws IOException {
        int[] last = frames.get(frames.size() - 1);
        for (int cut = last[0] + 1; cut < last[0] + last[1]; cut++) {
            byte[] log = java.util.Arrays.copyOf(wal, cut);
            Object outcome = open(dir.resolve("cut" + cut), log);
            assertEquals(TRANSACTIONS - 1L, outcome, "cut at " + cut);
        }
        // the torn bytes are cut off, so what is appended next is found again after the next crash
        Path torn = dir.resolve("torn-then-append");
        copy(crashed, torn);
        Files.write(torn.resolve("wal.log"), java.util.Arrays.copyOf(wal, last[0] + last[1] / 2));
        try (Ledger ledger = Ledger.open(torn, false, CLOCK, List.of())) {
            assertEquals(last[0], Files.size(torn.resolve("wal.log")), "the torn record is cut off at start");
            ledger.airdrop(target(500), 3 * Rent.LAMPORTS_PER_SOL);
            copy(torn, dir.resolve("torn-crashed"));
        }
        try (Ledger ledger = Ledger.open(dir.resolve("torn-crashed"), false, CLOCK, List.of())) {
            assertEquals(TRANSACTIONS, ledger.transactionCount());
            assertEquals(3 * Rent.LAMPORTS_PER_SOL, ledger.account(target(500)).lamports());
        }
        // a file system that extended the file with zeros before the data landed: nothing lost
        byte[] zeros = java.util.Arrays.copyOf(wal, wal.length + 4096);
        assertEquals((long) TRANSACTIONS, open(dir.resolve("zeros"), zeros));
    }

    @Test void aRecordSplicedOutIsAGapNotATornTail(@TempDir Path dir) throws IOException {
        int[] third = frames.get(3);
        byte[] log = new byte[wal.length - third[1]];
        System.arraycopy(wal, 0, log, 0, third[0]);
        System.arraycopy(wal, third[0] + third[1], log, third[0], wal.length - third[0] - third[1]);
        LedgerDamagedException e = (LedgerDamagedException) open(dir, log);
        assertTrue(e.getMessage().contains("1 records are missing before it"), e.getMessage());
    }

    @Test void repairKeepsACopyAndTheRecordsBeforeTheDamage(@TempDir Path dir) throws IOException {
        byte[] log = wal.clone();
        int damaged = 5;
        log[frames.get(damaged)[0] + 20] ^= 0x10;
        Path ledger = dir.resolve("ledger");
        assertTrue(open(ledger, log) instanceof LedgerDamagedException);
        String report = Ledger.repair(ledger);
        assertTrue(report.contains("dropped the damaged record and the " + (frames.size() - 1 - damaged) + " records after it"), report);
        List<Path> copies;
        try (var files = Files.list(ledger)) {
            copies = files.filter(f -> f.getFileName().toString().startsWith("wal.log.damaged-")).toList();
        }
        assertEquals(1, copies.size());
        assertArrayEquals(log, Files.readAllBytes(copies.get(0)), "the log as it was is kept");
        try (Ledger repaired = Ledger.open(ledger, false, CLOCK, List.of())) {
            assertEquals(damaged - 1, repaired.transactionCount(), "the airdrops before the damaged record");
            assertEquals(expected.get(target(damaged - 2)), repaired.account(target(damaged - 2)).lamports());
        }
    }

    @Test void deletedOrEmptiedFilesRefuseTheStart(@TempDir Path dir) throws IOException {
        Path noWal = dir.resolve("no-wal");
        copy(crashed, noWal);
        Files.delete(noWal.resolve("wal.log"));
        assertDamaged(noWal, "wal.log is missing");

        Path noGenesis = dir.resolve("no-genesis");
        copy(crashed, noGenesis);
        Files.delete(noGenesis.resolve("genesis.properties"));
        assertDamaged(noGenesis, "genesis.properties is missing, but the ledger holds history (wal.log with " + TRANSACTIONS
                + " confirmed transactions)");
        assertArrayEquals(wal, Files.readAllBytes(noGenesis.resolve("wal.log")));

        Path emptyGenesis = dir.resolve("empty-genesis");
        copy(crashed, emptyGenesis);
        Files.write(emptyGenesis.resolve("genesis.properties"), new byte[0]);
        assertDamaged(emptyGenesis, "genesis.properties is unreadable: genesis_hash is missing");
    }

    @Test void aDeletedOrDamagedSnapshotRefusesTheStart(@TempDir Path dir) throws IOException {
        Path live = dir.resolve("live");
        Path withSnapshot = dir.resolve("with-snapshot");
        try (Ledger ledger = Ledger.open(live, false, CLOCK, List.of(), 1_500)) { // snapshots every few records
            for (int i = 0; i < 9; i++) ledger.airdrop(target(100 + i), Rent.LAMPORTS_PER_SOL);
            copy(live, withSnapshot);
        }
        assertTrue(Files.exists(withSnapshot.resolve("snapshot.bin")));
        Path ok = dir.resolve("ok");
        copy(withSnapshot, ok);
        try (Ledger ledger = Ledger.open(ok, false, CLOCK, List.of())) {
            assertEquals(9, ledger.transactionCount());
        }

        Path noSnapshot = dir.resolve("no-snapshot");
        copy(withSnapshot, noSnapshot);
        Files.delete(noSnapshot.resolve("snapshot.bin"));
        assertDamaged(noSnapshot, "snapshot.bin is missing: wal.log starts at sequence");

        byte[] snapshot = Files.readAllBytes(withSnapshot.resolve("snapshot.bin"));
        // magic, sequence, first entry, middle, last entry byte, the checksum itself
        for (int at : new int[] {0, 9, 16, 17, snapshot.length / 2, snapshot.length - 9, snapshot.length - 1}) {
            Path damaged = dir.resolve("snapshot-" + at);
            copy(withSnapshot, damaged);
            byte[] bad = snapshot.clone();
            bad[at] ^= 0x04;
            Files.write(damaged.resolve("snapshot.bin"), bad);
            LedgerDamagedException e = assertDamaged(damaged, "snapshot.bin (" + snapshot.length + " bytes) fails its checksum");
            assertFalse(e.getMessage().contains("--reset"), e.getMessage());
            assertArrayEquals(bad, Files.readAllBytes(damaged.resolve("snapshot.bin")));
        }
        Path truncated = dir.resolve("snapshot-truncated");
        copy(withSnapshot, truncated);
        Files.write(truncated.resolve("snapshot.bin"), java.util.Arrays.copyOf(snapshot, 10));
        assertDamaged(truncated, "snapshot.bin is truncated");
    }

    private static LedgerDamagedException assertDamaged(Path dir, String expectedText) {
        LedgerDamagedException e = assertThrows(LedgerDamagedException.class, () -> Ledger.open(dir, false, CLOCK, List.of()).close());
        assertTrue(e.getMessage().contains(expectedText), e.getMessage());
        return e;
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals("ledger.lock")) {
                    Files.copy(f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
