package psyche.chain;

import org.junit.jupiter.api.Test;
import org.p2p.solanaj.core.Account;
import org.p2p.solanaj.core.PublicKey;
import org.p2p.solanaj.core.TransactionInstruction;
import psyche.coordinator.Pubkey;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Our wire bytes against solanaj's (an implementation nobody here wrote) for the same instructions and signers. */
class Transaction_SolanajCrossTest {

    static TransactionInstruction toSolanaj(Instruction ix) {
        List<org.p2p.solanaj.core.AccountMeta> metas = new ArrayList<>();
        for (AccountMeta m : ix.accounts()) {
            metas.add(new org.p2p.solanaj.core.AccountMeta(new PublicKey(m.pubkey().bytes()), m.signer(), m.writable()));
        }
        return new TransactionInstruction(new PublicKey(ix.programId().bytes()), metas, ix.data());
    }

    static void assertSameWire(List<Instruction> ixs, Keypair payer, byte[][] secrets, Keypair... signers) {
        String blockhash = Pubkey.base58Encode(Borsh.unhex("0b".repeat(32)));
        byte[] ours = Transaction.build(payer.publicKey(), ixs, blockhash, signers).toWire();
        org.p2p.solanaj.core.Transaction theirs = new org.p2p.solanaj.core.Transaction();
        ixs.forEach(ix -> theirs.addInstruction(toSolanaj(ix)));
        theirs.setRecentBlockHash(blockhash);
        List<Account> accounts = new ArrayList<>();
        for (byte[] s : secrets) accounts.add(new Account(s));
        theirs.sign(accounts);
        assertEquals(Borsh.hex(theirs.serialize()), Borsh.hex(ours));
    }

    static byte[] secretOf(byte[] seed, Keypair k) {
        byte[] s = new byte[64];
        System.arraycopy(seed, 0, s, 0, 32);
        System.arraycopy(k.publicKey().bytes(), 0, s, 32, 32);
        return s;
    }

    @Test
    void transferMatches() {
        byte[] seed = Borsh.unhex(Keypair_SignTest.SEED);
        try (Keypair payer = Keypair.fromSeed(seed)) {
            assertSameWire(List.of(NativeInstructions.mainnet().transfer(payer.publicKey(), Instructions_GoldenTest.K2, 5)),
                    payer, new byte[][]{secretOf(seed, payer)}, payer);
        }
    }

    @Test
    void tokenTransferAndTickMatch() {
        byte[] seed = Borsh.unhex(Keypair_SignTest.SEED);
        try (Keypair payer = Keypair.fromSeed(seed)) {
            Pubkey me = payer.publicKey();
            assertSameWire(List.of(
                    NativeInstructions.mainnet().tokenTransfer(Instructions_GoldenTest.K3, Instructions_GoldenTest.K4, me, 7),
                    CoordinatorInstructions.mainnet().tick(me, Instructions_GoldenTest.K5, Instructions_GoldenTest.K6)),
                    payer, new byte[][]{secretOf(seed, payer)}, payer);
        }
    }
}
