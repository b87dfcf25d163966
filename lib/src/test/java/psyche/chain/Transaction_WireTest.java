package psyche.chain;

import org.junit.jupiter.api.Test;
import psyche.coordinator.Pubkey;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static psyche.chain.Instructions_GoldenTest.*;

class Transaction_WireTest {
    static final String BLOCKHASH_HEX = rep("0b", 32);

    /**
     * A system transfer from the RFC 8032 key (payer) to K2, derived by hand from Solana's legacy wire format:
     * keys = [payer (signer, writable), K2 (writable), system (readonly)] → header 01 00 01.
     */
    @Test
    void systemTransferMessageBytes() {
        try (Keypair payer = Keypair.fromSeed(Borsh.unhex(Keypair_SignTest.SEED))) {
            Instruction ix = NativeInstructions.mainnet().transfer(payer.publicKey(), K2, 5);
            Message m = Message.compile(payer.publicKey(), List.of(ix), Borsh.unhex(BLOCKHASH_HEX));
            String expected = "01 00 01"                               // 1 signer, 0 readonly signed, 1 readonly unsigned
                    + "03" + Keypair_SignTest.PUB + rep("02", 32) + zeros(32)  // compact-u16 3 keys
                    + BLOCKHASH_HEX
                    + "01"                                             // 1 instruction
                    + "02" + "02 00 01"                                // program index 2, 2 accounts: 0, 1
                    + "0c" + "02000000 0500000000000000";              // 12 data bytes: Transfer, 5 lamports
            assertEquals(expected.replaceAll("\\s", ""), Borsh.hex(m.serialize()));
            Transaction tx = Transaction.sign(m, payer);
            byte[] wire = tx.toWire();
            assertEquals(1, wire[0]);
            assertArrayEquals(payer.sign(m.serialize()), java.util.Arrays.copyOfRange(wire, 1, 65));
            assertTrue(tx.verifySignatures());
            Transaction back = Transaction.fromWire(wire);
            assertEquals(tx, back);
            assertTrue(back.verifySignatures());
            assertEquals(List.of(ix), back.message().decompile());
        }
    }

    @Test
    void keyOrderingAcrossInstructions() {
        try (Keypair payer = Keypair.generate(); Keypair newAcc = Keypair.generate()) {
            NativeInstructions nat = NativeInstructions.mainnet();
            CoordinatorInstructions coord = CoordinatorInstructions.mainnet();
            // create-run shape: create_account then init_coordinator
            Instruction create = nat.createAccount(payer.publicKey(), newAcc.publicKey(), 1, 119_160, ProgramIds.COORDINATOR);
            Instruction init = coord.initCoordinator(payer.publicKey(), newAcc.publicKey(),
                    new CoordinatorInstructions.InitCoordinator(payer.publicKey(), payer.publicKey(), "run", "test"));
            Message m = Message.compile(payer.publicKey(), List.of(create, init), Borsh.unhex(BLOCKHASH_HEX));
            Pubkey instance = Pdas.mainnet().coordinatorInstance("run").address();
            assertEquals(List.of(payer.publicKey(), newAcc.publicKey(), instance, Pubkey.SYSTEM, ProgramIds.COORDINATOR),
                    m.accountKeys());
            assertEquals(2, m.numRequiredSignatures());
            assertEquals(0, m.numReadonlySigned());
            assertEquals(2, m.numReadonlyUnsigned());
            Transaction tx = Transaction.sign(m, payer, newAcc);
            assertTrue(Transaction.fromWire(tx.toWire()).verifySignatures());
            String text = m.describe();
            assertTrue(text.contains("init_coordinator"), text);
            assertTrue(text.contains("run_id=run"), text);
            assertTrue(text.contains("create_account"), text);
            assertTrue(text.contains("signer writable"), text);
            assertThrows(IllegalArgumentException.class, () -> Transaction.sign(m, payer), "missing signer");
        }
    }

    @Test
    void tamperedSignatureFailsVerification() {
        try (Keypair payer = Keypair.generate()) {
            Transaction tx = Transaction.build(payer.publicKey(),
                    List.of(NativeInstructions.mainnet().transfer(payer.publicKey(), K2, 1)), Pubkey.base58Encode(Borsh.unhex(BLOCKHASH_HEX)), payer);
            byte[] wire = tx.toWire();
            wire[10] ^= 1;
            assertFalse(Transaction.fromWire(wire).verifySignatures());
            byte[] wire2 = tx.toWire();
            wire2[wire2.length - 1] ^= 1;   // lamports changed after signing
            assertFalse(Transaction.fromWire(wire2).verifySignatures());
        }
    }

    @Test
    void malformedWireGivesTypedError() {
        try (Keypair payer = Keypair.generate()) {
            byte[] wire = Transaction.build(payer.publicKey(),
                    List.of(NativeInstructions.mainnet().transfer(payer.publicKey(), K2, 1)), Pubkey.base58Encode(Borsh.unhex(BLOCKHASH_HEX)), payer).toWire();
            java.util.Random r = new java.util.Random(1);
            for (int i = 0; i < 300; i++) {
                byte[] bad = i % 3 == 0 ? java.util.Arrays.copyOf(wire, r.nextInt(wire.length))
                        : i % 3 == 1 ? java.util.Arrays.copyOf(wire, wire.length + 1) : randomBytes(r);
                try {
                    // whatever parses must serialize back to the very same bytes (canonical encoding)
                    assertArrayEquals(bad, Transaction.fromWire(bad).toWire());
                } catch (ChainDecodeException expected) {
                    assertNotNull(expected.getMessage());
                }
            }
            assertThrows(ChainDecodeException.class, () -> Transaction.fromWire(java.util.Arrays.copyOf(wire, wire.length + 1)));
        }
    }

    @Test
    void compactU16IsCanonical() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ShortVec.write(out, 0x7f); ShortVec.write(out, 0x80); ShortVec.write(out, 0x3fff); ShortVec.write(out, 0x4000); ShortVec.write(out, 0xffff);
        // 7f | 80 01 | ff 7f | 80 80 01 | ff ff 03  (7 bits per byte, low first, high bit = more)
        assertEquals("7f" + "8001" + "ff7f" + "808001" + "ffff03", Borsh.hex(out.toByteArray()));
        assertThrows(ChainDecodeException.class, () -> ShortVec.read(Borsh.unhex("8000"), new int[]{0}, "alias"));
        assertThrows(ChainDecodeException.class, () -> ShortVec.read(Borsh.unhex("ffff07"), new int[]{0}, "overflow"));
        assertEquals(0x4000, ShortVec.read(Borsh.unhex("808001"), new int[]{0}, "ok"));
    }

    static byte[] randomBytes(java.util.Random r) { byte[] b = new byte[r.nextInt(400)]; r.nextBytes(b); return b; }
}
