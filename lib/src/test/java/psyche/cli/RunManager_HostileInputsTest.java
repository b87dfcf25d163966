package psyche.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import psyche.chain.Keypair;
import psyche.chain.local.LocalChain;
import psyche.coordinator.Pubkey;

/**
 * Hostile or mistyped inputs on the command line: each refused with a one-line error and its documented exit code,
 * with nothing sent (the local chain's transaction count does not move).
 */
class RunManager_HostileInputsTest {
    @TempDir static Path dir;
    static LocalChain chain;
    static Keypair owner;
    static Path ownerFile;

    @BeforeAll static void start() {
        chain = LocalChain.builder().optInMemory().optRpcPort(0).start();
        owner = Keypair.generate();
        ownerFile = dir.resolve("owner.json");
        owner.save(ownerFile);
        chain.ledger().airdrop(owner.publicKey(), 10_000_000_000L);
    }

    @AfterAll static void stop() { chain.close(); }

    /** Runs {@code args}, expecting {@code code}, one line on stderr containing {@code text}, and no transaction. */
    static CliRun refused(int code, String text, String... args) {
        long before = chain.ledger().transactionCount();
        CliRun r = CliRun.of(args);
        assertEquals(code, r.code(), r.err() + r.out());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().contains(text), r.err());
        assertEquals(before, chain.ledger().transactionCount(), "nothing sent");
        return r;
    }

    @Test void negativeOrZeroAmountsAndSolAreRefusedBeforeAnythingIsSent() {
        refused(1, "--amount must be a positive number", "create-test-mint", "--rpc", chain.rpcUrl(), "-w", ownerFile.toString(),
                "--amount", "-5");
        refused(1, "--sol must be 0 or more SOL", "create-test-mint", "--rpc", chain.rpcUrl(), "-w", ownerFile.toString(),
                "--sol", "-1");
        refused(1, "--sol must be 0 or more SOL", "create-test-mint", "--rpc", chain.rpcUrl(), "-w", ownerFile.toString(),
                "--sol", "NaN");
        refused(1, "the airdrop must be more than 0 SOL", "airdrop", "--rpc", chain.rpcUrl(), "-w", ownerFile.toString(), "0");
    }

    @Test void runIdsWithControlCharactersAreRefusedNamingTheCharacter() {
        refused(1, "run id has the control character U+0007 at position 3", "create-run", "--rpc", chain.rpcUrl(),
                "-w", ownerFile.toString(), "--run-id", "abc\u0007def", "--client-version", "test");
        refused(1, "run id has a space at position 1", "create-run", "--rpc", chain.rpcUrl(),
                "-w", ownerFile.toString(), "--run-id", "a b", "--client-version", "test");
        refused(1, "run ids are at most 32 bytes", "create-run", "--rpc", chain.rpcUrl(),
                "-w", ownerFile.toString(), "--run-id", "x".repeat(33), "--client-version", "test");
    }

    @Test void devicesFifosAndHugeFilesAreRefusedBeforeReading() throws Exception {
        refused(1, "is not a regular file", "create-test-mint", "--rpc", chain.rpcUrl(), "-w", "/dev/zero");
        Path fifo = dir.resolve("key.fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mkfifo.waitFor());
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            refused(1, "is not a regular file", "create-test-mint", "--rpc", chain.rpcUrl(), "-w", fifo.toString());
        }, "a FIFO as keypair does not hang");
        Path huge = dir.resolve("huge.json");
        Files.write(huge, new byte[64 * 1024]);
        refused(1, "more than any valid one", "create-test-mint", "--rpc", chain.rpcUrl(), "-w", huge.toString());
        CliRun config = refused(2, "is not a regular file", "validate-config", "--config-path", "/dev/zero");
        assertFalse(config.err().contains("OutOfMemoryError"));
        refused(1, "is not a regular file", "decode-account", "--file", "/dev/zero");
    }

    @Test void aDeeplyNestedTomlArrayIsAConfigErrorNotAStackOverflow() throws Exception {
        Path nested = dir.resolve("nested.toml");
        Files.writeString(nested, "[config]\nwarmup_time = " + "[".repeat(800) + "]".repeat(800) + "\n");
        CliRun r = CliRun.of("validate-config", "--config-path", nested.toString());
        assertEquals(1, r.code(), "config has errors: " + r.err() + r.out());
        assertTrue(r.out().contains("nested deeper than 32 levels"), r.out());
        assertFalse((r.out() + r.err()).contains("StackOverflowError"));
        assertTrue((r.out() + r.err()).lines().count() < 40, "no stack trace: " + r.out() + r.err());
    }

    @Test void aSecretKeyWhereAPublicKeyIsExpectedIsNotEchoed() {
        byte[] secret = new byte[64];
        secret[0] = 42;
        System.arraycopy(owner.publicKey().bytes(), 0, secret, 32, 32);
        String pasted = Pubkey.base58Encode(secret);
        CliRun r = refused(1, "secret key", "join-authorization-create", "--rpc", chain.rpcUrl(), "-w", ownerFile.toString(),
                "--authorizer", pasted);
        assertFalse(r.err().contains(pasted.substring(0, 16)), r.err());
        assertFalse(r.out().contains(pasted.substring(0, 16)), r.out());
    }
}
