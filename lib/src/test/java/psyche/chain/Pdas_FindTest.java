package psyche.chain;

import org.junit.jupiter.api.Test;
import org.p2p.solanaj.core.PublicKey;
import psyche.coordinator.Pubkey;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Our PDA derivation against solanaj's independent implementation, and curve-check sanity. */
class Pdas_FindTest {
    static PublicKey sj(Pubkey k) { return new PublicKey(k.bytes()); }

    static void assertSameAsSolanaj(Pdas.Pda ours, List<byte[]> seeds, Pubkey program) throws Exception {
        PublicKey.ProgramDerivedAddress theirs = PublicKey.findProgramAddress(seeds, sj(program));
        assertEquals(theirs.getAddress().toBase58(), ours.address().toBase58());
        assertEquals(theirs.getNonce(), ours.bump());
    }

    @Test
    void coordinatorInstanceMatchesSolanaj() throws Exception {
        Pdas p = Pdas.mainnet();
        for (String runId : new String[]{"test", "consilience-40b-1", "x".repeat(32)}) {
            assertSameAsSolanaj(p.coordinatorInstance(runId),
                    List.of("coordinator".getBytes(StandardCharsets.US_ASCII), runId.getBytes(StandardCharsets.UTF_8)),
                    ProgramIds.COORDINATOR);
        }
    }

    @Test
    void authorizationRunParticipantAndAtaMatchSolanaj() throws Exception {
        Random r = new Random(7);
        Pdas p = Pdas.mainnet();
        for (int i = 0; i < 20; i++) {
            Pubkey a = RandomStates.key(r), b = RandomStates.key(r);
            assertSameAsSolanaj(p.joinAuthorization(a, b), List.of("Authorization".getBytes(), a.bytes(), b.bytes(),
                    "CoordinatorJoinRun".getBytes()), ProgramIds.AUTHORIZER);
            assertSameAsSolanaj(p.participant(a, b), List.of("Participant".getBytes(), a.bytes(), b.bytes()),
                    ProgramIds.TREASURER);
            assertSameAsSolanaj(p.associatedTokenAccount(a, b),
                    List.of(a.bytes(), ProgramIds.TOKEN.bytes(), b.bytes()), ProgramIds.ASSOCIATED_TOKEN);
            long index = r.nextLong();
            byte[] le = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(index).array();
            assertSameAsSolanaj(p.treasurerRun(index), List.of("Run".getBytes(), le), ProgramIds.TREASURER);
        }
    }

    /**
     * Known answers from @solana/web3.js 1.x {@code PublicKey.findProgramAddressSync} (node, run once on
     * 2026-11-23; a third implementation besides ours and solanaj). K1/K2 = 32 bytes of 0x01/0x02.
     */
    @Test
    void knownAnswersFromWeb3js() {
        Pdas p = Pdas.mainnet();
        Pubkey k1 = Instructions_GoldenTest.K1, k2 = Instructions_GoldenTest.K2;
        assertEquals(new Pdas.Pda(Pubkey.fromBase58("9L4yCH7TsMn9JfoXYEupuQwtcNPTTtHcyNL6uqDfjwGB"), 255), p.coordinatorInstance("test"));
        assertEquals(new Pdas.Pda(Pubkey.fromBase58("7i6cbXVqahwHLEQmetfSnwz3FdckTxucZHNBczReh1Cv"), 255), p.joinAuthorization(k1, Pubkey.SYSTEM));
        assertEquals(new Pdas.Pda(Pubkey.fromBase58("tG3nRngwkJC3JAL9Aq9AMhFtTzr56hr9ZmaSRpD8dT8"), 252),
                p.treasurerRun(Pdas.defaultTreasurerIndex("test")));
        assertEquals(new Pdas.Pda(Pubkey.fromBase58("6PTTKFdKdh2kNfcPEv4NZiyJrdpQ5aZ6uzoXP9XSC7VL"), 254), p.participant(k1, k2));
        // ATA program ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL (the earlier answer used a mistyped id, ...W1x...)
        assertEquals(new Pdas.Pda(Pubkey.fromBase58("CsYkfSfTUTWwnoeRkGchtai5kkYz2SC33kKJwA99wVr3"), 255), p.associatedTokenAccount(k1, k2));
    }

    @Test
    void defaultTreasurerIndexIsLittleEndianSha256Prefix() {
        // sha256("test") = 9f86d081884c7d65...; LE u64 of 9f 86 d0 81 88 4c 7d 65 = 0x657d4c8881d0869f
        assertEquals(0x657d4c8881d0869fL, Pdas.defaultTreasurerIndex("test"));
    }

    @Test
    void curveCheckAcceptsRealKeysAndRejectsPdas() {
        // the ed25519 base point (y = 4/5) compressed, and a program id, are points; a found PDA is not
        assertTrue(Ed25519.isOnCurve(Borsh.unhex("5866666666666666666666666666666666666666666666666666666666666666")));
        assertTrue(Ed25519.isOnCurve(ProgramIds.TOKEN.bytes()));
        assertFalse(Ed25519.isOnCurve(Pdas.mainnet().coordinatorInstance("test").address().bytes()));
    }

    @Test
    void overlongRunIdIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Pdas.mainnet().coordinatorInstance("y".repeat(33)));
        assertTrue(e.getMessage().contains("33 bytes"));
    }
}
