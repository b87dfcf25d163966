package psyche.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import psyche.coordinator.Pubkey;

/** Key files are owner-only from their first byte; a secret key where a public key is expected is never echoed. */
class Keypair_SaveTest {
    @Test void aSavedKeyIsOwnerOnlyAndLoadsBack(@TempDir Path dir) {
        Path file = dir.resolve("sub").resolve("id.json");
        try (Keypair k = Keypair.generate()) {
            k.save(file);
            assertEquals(k.publicKey(), Keypair.publicKeyOf(file));
        }
        try {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        } catch (UnsupportedOperationException | java.io.IOException notPosix) {
            // nothing to check on such a file system
        }
        try (var files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test void noFileInTheDirectoryIsEverReadableByOthersWhileKeysAreWritten(@TempDir Path dir) throws Exception {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        Thread watcher = new Thread(() -> {
            long until = System.nanoTime() + 20_000_000_000L;
            while (!stop.get() && System.nanoTime() < until) {
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        try {
                            Set<PosixFilePermission> p = Files.getPosixFilePermissions(f);
                            if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                                seen.add(f.getFileName() + " " + PosixFilePermissions.toString(p));
                            }
                        } catch (java.io.IOException goneMeanwhile) {
                            // renamed or deleted between list and stat
                        }
                    }
                } catch (java.io.IOException | java.io.UncheckedIOException ignored) {
                    // the directory changed while listed
                }
            }
        });
        watcher.setDaemon(true);
        watcher.start();
        for (int i = 0; i < 200; i++) {
            try (Keypair k = Keypair.generate()) {
                k.save(dir.resolve("key-" + i + ".json"));
            }
        }
        stop.set(true);
        watcher.join(5_000);
        assertTrue(seen.isEmpty(), "readable by others while written: " + seen);
    }

    @Test void aSecretKeyWhereAPublicKeyIsExpectedIsRefusedWithoutEchoingIt() {
        try (Keypair k = Keypair.generate()) {
            byte[] secret = new byte[64];
            java.util.Arrays.fill(secret, 0, 32, (byte) 7);
            System.arraycopy(k.publicKey().bytes(), 0, secret, 32, 32);
            String base58 = Pubkey.base58Encode(secret);
            var e = assertThrows(IllegalArgumentException.class, () -> Pubkey.fromBase58(base58));
            assertTrue(e.getMessage().contains("secret key"), e.getMessage());
            assertFalse(e.getMessage().contains(base58.substring(0, 12)), e.getMessage());
            StringBuilder json = new StringBuilder("[");
            for (int i = 0; i < 64; i++) json.append(i == 0 ? "" : ",").append(secret[i] & 0xff);
            String array = json.append(']').toString();
            var e2 = assertThrows(IllegalArgumentException.class, () -> Pubkey.fromBase58(array));
            assertFalse(e2.getMessage().contains("7,7,7"), e2.getMessage());
            // a long non-base58 paste is not echoed either; a short typo is, to help find it
            var e3 = assertThrows(IllegalArgumentException.class, () -> Pubkey.fromBase58(base58 + "0"));
            assertFalse(e3.getMessage().contains(base58.substring(0, 12)), e3.getMessage());
            var e4 = assertThrows(IllegalArgumentException.class, () -> Pubkey.fromBase58("abc0"));
            assertTrue(e4.getMessage().contains("'abc0'"), e4.getMessage());
        }
    }
}
