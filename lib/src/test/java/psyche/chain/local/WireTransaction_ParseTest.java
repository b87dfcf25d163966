package psyche.chain.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.p2p.solanaj.core.Account;
import org.p2p.solanaj.programs.SystemProgram;

import psyche.coordinator.Hashing;
import psyche.coordinator.Pubkey;

class WireTransaction_ParseTest {
    private static final String BLOCKHASH = Pubkey.base58Encode(Hashing.sha256("bh".getBytes()));

    @Test void parsesSolanajTransferAndVerifiesItsSignature() {
        Account from = new Account();
        Account to = new Account();
        byte[] bytes = SolanajTransactions.sign(BLOCKHASH, List.of(from),
                SystemProgram.transfer(from.getPublicKey(), to.getPublicKey(), 1234));
        WireTransaction tx = WireTransaction.parse(bytes);
        assertEquals(1, tx.numRequiredSignatures());
        assertEquals(0, tx.numReadonlySigned());
        assertEquals(1, tx.numReadonlyUnsigned());
        assertEquals(List.of(SolanajTransactions.key(from), Pubkey.of(to.getPublicKey().toByteArray()), Pubkey.SYSTEM),
                tx.accountKeys());
        assertArrayEquals(Pubkey.base58Decode(BLOCKHASH), tx.recentBlockhash());
        psyche.chain.Message.CompiledInstruction ix = tx.instructions().get(0);
        assertEquals(2, ix.programIdIndex());
        assertArrayEquals(new int[] {0, 1}, ix.accountIndexes());
        assertEquals(2, ix.data()[0]);
        assertTrue(tx.isSigner(0) && tx.isWritable(0));
        assertTrue(!tx.isSigner(1) && tx.isWritable(1));
        assertFalse(tx.isWritable(2));
        assertTrue(tx.verifySignatures());
    }

    @Test void tamperedSignatureFailsVerification() {
        Account from = new Account();
        byte[] bytes = SolanajTransactions.sign(BLOCKHASH, List.of(from),
                SystemProgram.transfer(from.getPublicKey(), new Account().getPublicKey(), 1));
        bytes[5] ^= 1;
        assertFalse(WireTransaction.parse(bytes).verifySignatures());
    }

    @Test void tamperedMessageFailsVerification() {
        Account from = new Account();
        byte[] bytes = SolanajTransactions.sign(BLOCKHASH, List.of(from),
                SystemProgram.transfer(from.getPublicKey(), new Account().getPublicKey(), 1));
        bytes[bytes.length - 1] ^= 1; // the amount's top byte
        assertFalse(WireTransaction.parse(bytes).verifySignatures());
    }

    @Test void versionedMessageIsRefusedWithAClearError() {
        Account from = new Account();
        byte[] legacy = SolanajTransactions.sign(BLOCKHASH, List.of(from),
                SystemProgram.transfer(from.getPublicKey(), new Account().getPublicKey(), 1));
        byte[] v0 = new byte[legacy.length + 2];
        System.arraycopy(legacy, 0, v0, 0, 65);
        v0[65] = (byte) 0x80; // version prefix of a v0 message
        System.arraycopy(legacy, 65, v0, 66, legacy.length - 65);
        MalformedTransactionException e = assertThrows(MalformedTransactionException.class, () -> WireTransaction.parse(v0));
        assertTrue(e.getMessage().contains("versioned message (v0)"), e.getMessage());
    }

    @Test void truncatedTransactionNamesWhereItEnds() {
        Account from = new Account();
        byte[] bytes = SolanajTransactions.sign(BLOCKHASH, List.of(from),
                SystemProgram.transfer(from.getPublicKey(), new Account().getPublicKey(), 1));
        MalformedTransactionException e = assertThrows(MalformedTransactionException.class,
                () -> WireTransaction.parse(Arrays.copyOf(bytes, bytes.length - 3)));
        assertTrue(e.getMessage().contains("instruction 0 data"), e.getMessage());
    }

    @Test void signatureCountMustMatchHeader() {
        Account from = new Account();
        byte[] bytes = SolanajTransactions.sign(BLOCKHASH, List.of(from),
                SystemProgram.transfer(from.getPublicKey(), new Account().getPublicKey(), 1));
        byte[] noSignature = new byte[bytes.length - 64];
        noSignature[0] = 0;
        System.arraycopy(bytes, 65, noSignature, 1, bytes.length - 65);
        MalformedTransactionException e = assertThrows(MalformedTransactionException.class, () -> WireTransaction.parse(noSignature));
        assertTrue(e.getMessage().contains("requires 1 signatures but the transaction carries 0"), e.getMessage());
    }
}
