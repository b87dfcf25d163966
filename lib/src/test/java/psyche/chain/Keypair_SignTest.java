package psyche.chain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import psyche.coordinator.Pubkey;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class Keypair_SignTest {
    // RFC 8032 §7.1 TEST 1
    static final String SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    static final String PUB = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    static final String SIG = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

    static String jsonArray(byte[] b) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < b.length; i++) sb.append(i > 0 ? "," : "").append(b[i] & 0xff);
        return sb.append(']').toString();
    }

    static byte[] secret64() {
        return Borsh.unhex(SEED + PUB);
    }

    @Test
    void rfc8032Vector() {
        try (Keypair k = Keypair.fromSeed(Borsh.unhex(SEED))) {
            assertEquals(PUB, Borsh.hex(k.publicKey().bytes()));
            assertEquals(SIG, Borsh.hex(k.sign(new byte[0])));
            assertTrue(Keypair.verify(k.publicKey(), new byte[0], Borsh.unhex(SIG)));
            assertFalse(Keypair.verify(k.publicKey(), new byte[]{1}, Borsh.unhex(SIG)));
        }
    }

    @Test
    void solanaCliJsonFileAndEnvForms(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("id.json");
        Files.writeString(file, jsonArray(secret64()));
        assertEquals(PUB, Borsh.hex(Keypair.publicKeyOf(file).bytes()));
        String b58 = Pubkey.base58Encode(secret64());
        try (Keypair fromEnvB58 = Keypair.resolve(Optional.of(dir.resolve("missing.json")), Map.of(Keypair.ENV_RAW_KEY, b58));
             Keypair fromEnvJson = Keypair.resolve(Optional.empty(), Map.of(Keypair.ENV_RAW_KEY, jsonArray(secret64())));
             Keypair fromFile = Keypair.resolve(Optional.of(file), Map.of())) {
            assertEquals(fromFile.publicKey(), fromEnvB58.publicKey());
            assertEquals(fromFile.publicKey(), fromEnvJson.publicKey());
        }
    }

    @Test
    void generateSaveLoad(@TempDir Path dir) {
        Path file = dir.resolve("sub/k.json");
        try (Keypair k = Keypair.generate()) {
            k.save(file);
            try (Keypair back = Keypair.load(file)) {
                assertEquals(k.publicKey(), back.publicKey());
                byte[] msg = "hello".getBytes();
                assertTrue(Keypair.verify(k.publicKey(), msg, back.sign(msg)));
            }
        }
    }

    @Test
    void closeZeroesAndRefusesToSign() {
        Keypair k = Keypair.fromSeed(Borsh.unhex(SEED));
        k.close();
        assertThrows(IllegalStateException.class, () -> k.sign(new byte[1]));
    }

    /** No secret byte sequence in toString or in any error message, whatever the failure. */
    @Test
    void secretNeverInTextOrErrors(@TempDir Path dir) throws Exception {
        String seedHex = SEED;
        String seedB58 = Pubkey.base58Encode(Borsh.unhex(SEED));
        String secretB58 = Pubkey.base58Encode(secret64());
        String json = jsonArray(secret64());
        String seedJsonPrefix = json.substring(1, json.indexOf(',', 20));
        try (Keypair k = Keypair.fromSecretKey(secret64())) {
            assertNoSecret(k.toString(), seedHex, seedB58, secretB58, seedJsonPrefix);
        }
        // corrupt: public half mismatched; bad numbers; truncated; unreadable file
        byte[] corrupt = secret64();
        corrupt[40] ^= 1;
        String[] bad = {jsonArray(corrupt), json.replace("]", ",7]"), json.replace(",", ",x"), json.substring(0, 80), secretB58 + "0"};
        for (String text : bad) {
            KeypairException e = assertThrows(KeypairException.class, () -> Keypair.parse(text, "test input"));
            assertNoSecret(e.getMessage(), seedHex, seedB58, secretB58, seedJsonPrefix);
        }
        Path f = dir.resolve("bad.json");
        Files.writeString(f, jsonArray(corrupt));
        KeypairException e = assertThrows(KeypairException.class, () -> Keypair.load(f));
        assertNoSecret(e.getMessage(), seedHex, seedB58, secretB58, seedJsonPrefix);
        KeypairException env = assertThrows(KeypairException.class,
                () -> Keypair.resolve(Optional.empty(), Map.of(Keypair.ENV_RAW_KEY, json.replace("]", ",7]"))));
        assertTrue(env.getMessage().contains("RAW_WALLET_PRIVATE_KEY"));
        assertNoSecret(env.getMessage(), seedHex, seedB58, secretB58, seedJsonPrefix);
    }

    static void assertNoSecret(String text, String... secrets) {
        for (String s : secrets) assertFalse(text.contains(s), "secret material leaked into: " + text);
        // and no run of 8+ of the seed's bytes as decimal numbers
        assertFalse(text.matches(".*\\d+(,\\d+){7,}.*"), "byte array leaked into: " + text);
    }
}
