package psyche;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import psyche.chain.Keypair;
import psyche.chain.local.LocalChain;
import psyche.cli.RunManager;
import psyche.coordinator.Pubkey;

/** {@code Psyche.doctor()} / {@code run-manager doctor}: what a bug report needs, and never a secret. */
class Doctor_ReportTest {
    /** Every form a secret could leak in: the key file's JSON, base58 of the 64 bytes, base58 of the seed. */
    private static void assertNoSecret(String text, String keyFileJson) {
        String[] numbers = keyFileJson.replaceAll("[\\[\\]\\s]", "").split(",");
        byte[] secret = new byte[64];
        for (int i = 0; i < 64; i++) secret[i] = (byte) Integer.parseInt(numbers[i]);
        assertFalse(text.contains(keyFileJson.trim()), "key file JSON in the report");
        assertFalse(text.contains(String.join(",", Arrays.copyOf(numbers, 8))), "secret bytes in the report");
        assertFalse(text.contains(Pubkey.base58Encode(secret)), "base58 secret in the report");
        assertFalse(text.contains(Pubkey.base58Encode(Arrays.copyOf(secret, 32))), "base58 seed in the report");
    }

    private static Pubkey newWallet(Path file) {
        try (Keypair k = Keypair.generate()) {
            k.save(file);
            return k.publicKey();
        }
    }

    @Test void reportsAReachableChainAndTheWalletsPublicKeyOnly(@TempDir Path dir) throws Exception {
        Path walletFile = dir.resolve("id.json");
        Pubkey pubkey = newWallet(walletFile);
        String json = Files.readString(walletFile);
        try (LocalChain chain = LocalChain.builder().optInMemory().optRpcPort(0).start()) {
            Doctor.Options options = new Doctor.Options(chain.rpcUrl(), walletFile, dir.resolve("ledger"),
                    Map.of(Keypair.ENV_RAW_KEY, json));
            Doctor.Report report = Doctor.report(options);
            String text = report.toString();
            assertTrue(report.value("rpc", "reachable").startsWith("yes: solana-core "), text);
            assertEquals(chain.rpcUrl(), report.value("rpc", "endpoint"));
            assertEquals(walletFile + ": public key " + pubkey, report.value("wallet", "keypair file"));
            assertEquals("set; public key " + pubkey, report.value("wallet", "env " + Keypair.ENV_RAW_KEY));
            assertEquals(System.getProperty("java.version"), report.value("versions", "java").split(" ")[0]);
            assertTrue(report.value("versions", "bouncycastle").startsWith("bcprov"), text);
            assertTrue(report.value("local chain", "ledger state").startsWith("absent"), text);
            assertNotNull(report.value("jupyter", "kernelspec psyche"), text);
            assertNotNull(report.value("natives", "pytorch natives"), text);
            assertTrue(Integer.parseInt(report.value("device", "cpus")) >= 1, text);
            assertNoSecret(text, json);
        }
    }

    @Test void anUnreachableEndpointIsReportedNotThrown(@TempDir Path dir) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Doctor.Report report = Doctor.report(new Doctor.Options("http://127.0.0.1:" + closedPort, dir.resolve("none.json"),
                dir, Map.of()));
        assertTrue(report.value("rpc", "reachable").startsWith("no: "), report.toString());
        assertTrue(report.value("wallet", "keypair file").contains("absent"), report.toString());
        assertTrue(report.value("local chain", "ledger state").contains("0 files"), report.toString());
    }

    @Test void runManagerDoctorPrintsTheSameReport(@TempDir Path dir) throws Exception {
        Path walletFile = dir.resolve("w.json");
        Pubkey pubkey = newWallet(walletFile);
        try (LocalChain chain = LocalChain.builder().optInMemory().optRpcPort(0).start()) {
            StringWriter out = new StringWriter(), err = new StringWriter();
            int code = RunManager.execute("run-manager", new PrintWriter(out, true), new PrintWriter(err, true),
                    "doctor", "--rpc", chain.rpcUrl(), "-w", walletFile.toString(), "--ledger", dir.toString());
            assertEquals(0, code, err.toString());
            String text = out.toString();
            assertTrue(text.contains("public key " + pubkey), text);
            assertTrue(text.contains("yes: solana-core"), text);
            assertTrue(text.contains("psyche-workbench"), text);
            assertNoSecret(text, Files.readString(walletFile));
        }
    }
}
