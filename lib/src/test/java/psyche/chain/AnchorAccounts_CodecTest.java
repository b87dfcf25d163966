package psyche.chain;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import psyche.coordinator.Pubkey;

import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;
import static psyche.chain.Instructions_GoldenTest.*;

/** Borsh accounts and SPL token accounts: hand-derived golden bytes, round trips, typed errors. */
class AnchorAccounts_CodecTest {

    @Test
    void coordinatorInstanceGolden() {
        // disc | bump 254 | main_authority | join_authority | coordinator_account | run_id String "test", then allocation slack
        byte[] data = Borsh.unhex("9c099910af181ffc fe" + rep("01", 32) + rep("02", 32) + rep("03", 32)
                + "04000000 74657374" + zeros(10));
        CoordinatorInstance ci = CoordinatorInstance.decode(data);
        assertEquals(new CoordinatorInstance(254, K1, K2, K3, "test"), ci);
        assertArrayEquals(java.util.Arrays.copyOf(data, data.length - 10), ci.encode());
    }

    @Test
    void authorizationGoldenAndValidity() {
        // disc | bump | grantor | grantee 111…1 | scope Vec<u8> | active | delegates Vec<Pubkey> [K5] | timestamp i64 -1
        byte[] data = Borsh.unhex("0344a8f3c3a8204b ff" + rep("01", 32) + zeros(32)
                + "12000000 436f6f7264696e61746f724a6f696e52756e 01 01000000" + rep("05", 32) + "ffffffffffffffff");
        Authorization a = Authorization.decode(data);
        assertEquals(255, a.bump());
        assertEquals(K1, a.grantor());
        assertEquals(Pubkey.SYSTEM, a.grantee());
        assertTrue(a.active());
        assertEquals(List.of(K5), a.delegates());
        assertEquals(-1, a.grantorUpdateUnixTimestamp());
        assertArrayEquals(data, a.encode());
        byte[] scope = Pdas.Scopes.COORDINATOR_JOIN_RUN;
        assertTrue(a.isValidFor(K1, K9, scope), "permissionless grant admits anyone");
        assertFalse(a.isValidFor(K2, K9, scope), "wrong grantor");
        assertFalse(a.isValidFor(K1, K9, "Other".getBytes()), "wrong scope");
        Authorization personal = new Authorization(1, K1, K2, scope, true, List.of(K5), 0);
        assertTrue(personal.isValidFor(K1, K2, scope));
        assertTrue(personal.isValidFor(K1, K5, scope), "delegate");
        assertFalse(personal.isValidFor(K1, K9, scope), "stranger");
        Authorization inactive = new Authorization(1, K1, Pubkey.SYSTEM, scope, false, List.of(), 0);
        assertFalse(inactive.isValidFor(K1, K9, scope));
    }

    @Test
    void treasurerRunAndParticipantGolden() {
        byte[] run = Borsh.unhex("c7369b56eb73f6bd fd 0807060504030201" + rep("01", 32) + rep("02", 32) + rep("03", 32)
                + rep("04", 32) + rep("05", 32) + "0a00000000000000 0b00000000000000");
        TreasurerRun tr = TreasurerRun.decode(run);
        assertEquals(new TreasurerRun(253, 0x0102030405060708L, K1, K2, K3, K4, K5, 10, 11), tr);
        assertArrayEquals(run, tr.encode());
        byte[] p = Borsh.unhex("208e6c4ff7b33606 07 0500000000000000 0600000000000000");
        assertEquals(new Participant(7, 5, 6), Participant.decode(p));
        assertArrayEquals(p, new Participant(7, 5, 6).encode());
    }

    @Test
    void splMintAndTokenAccountGolden() {
        // mint: COption<Pubkey> authority (u32 1 + key) | supply | decimals | initialized | COption freeze (u32 0 + 32 zero)
        byte[] mint = Borsh.unhex("01000000" + rep("01", 32) + "e803000000000000 06 01 00000000" + zeros(32));
        TokenMint m = TokenMint.decode(mint);
        assertEquals(new TokenMint(Optional.of(K1), 1000, 6, true, Optional.empty()), m);
        assertEquals(0.001, m.toUi(1000), 1e-12);
        assertArrayEquals(mint, m.encode());
        // account: mint | owner | amount | delegate COption | state 1 | is_native COption<u64> | delegated | close COption
        byte[] acc = Borsh.unhex(rep("01", 32) + rep("02", 32) + "2a00000000000000" + "00000000" + zeros(32) + "01"
                + "00000000" + zeros(8) + zeros(8) + "00000000" + zeros(32));
        assertEquals(165, acc.length);
        assertEquals(TokenAccount.of(K1, K2, 42), TokenAccount.decode(acc));
        assertArrayEquals(acc, TokenAccount.of(K1, K2, 42).encode());
    }

    @Test
    void wrongDiscriminatorAndTruncationAreTyped() {
        byte[] p = new Participant(1, 2, 3).encode();
        AccountDecodeException trunc = assertThrows(AccountDecodeException.class,
                () -> Participant.decode(java.util.Arrays.copyOf(p, p.length - 1)));
        assertEquals(AccountDecodeException.Reason.SIZE, trunc.reason());
        AccountDecodeException disc = assertThrows(AccountDecodeException.class, () -> TreasurerRun.decode(p));
        assertEquals(AccountDecodeException.Reason.DISCRIMINATOR, disc.reason());
        assertTrue(disc.getMessage().contains("c7369b56eb73f6bd"));
        assertThrows(AccountDecodeException.class, () -> TokenMint.decode(new byte[81]));
        assertEquals(AccountKind.PARTICIPANT, AccountKind.detect(p));
        assertEquals(AccountKind.COORDINATOR, AccountKind.detect(CoordinatorAccount_CodecTest.handBuiltAccount()));
    }

    static byte[] encode(Object account) {
        if (account instanceof CoordinatorAccount a) return a.encode();
        if (account instanceof CoordinatorInstance a) return a.encode();
        if (account instanceof Authorization a) return a.encode();
        if (account instanceof TreasurerRun a) return a.encode();
        if (account instanceof Participant a) return a.encode();
        if (account instanceof TokenMint a) return a.encode();
        return ((TokenAccount) account).encode();
    }

    @Property(tries = 300)
    void randomBytesOnlyGiveTheTypedError(@ForAll long seed) {
        Random r = new Random(seed);
        byte[][] prefixes = {CoordinatorInstance.DISCRIMINATOR, Authorization.DISCRIMINATOR, TreasurerRun.DISCRIMINATOR,
                Participant.DISCRIMINATOR, new byte[0]};
        byte[] prefix = prefixes[r.nextInt(prefixes.length)];
        byte[] body = new byte[r.nextInt(300)];
        r.nextBytes(body);
        byte[] data = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, data, 0, prefix.length);
        System.arraycopy(body, 0, data, prefix.length, body.length);
        for (AccountKind k : AccountKind.values()) {
            try {
                Object decoded = k.decode(data);
                assertEquals(decoded, k.decode(encode(decoded)), "re-encodes to itself");
            } catch (AccountDecodeException expected) {
                assertNotNull(expected.reason());
            }
        }
    }
}
