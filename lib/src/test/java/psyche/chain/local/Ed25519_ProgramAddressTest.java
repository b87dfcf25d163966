package psyche.chain.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.p2p.solanaj.core.Account;
import org.p2p.solanaj.core.PublicKey;

import psyche.chain.local.programs.AssociatedTokenProgram;
import psyche.chain.local.programs.TokenProgram;
import psyche.chain.Ed25519;
import psyche.chain.Keypair;
import psyche.chain.Pdas;
import psyche.coordinator.Pubkey;

class Ed25519_ProgramAddressTest {
    @Test void associatedTokenAddressMatchesSolanaj() throws Exception {
        for (int i = 0; i < 20; i++) {
            Account wallet = new Account();
            Account mint = new Account();
            PublicKey.ProgramDerivedAddress expected = PublicKey.findProgramAddress(
                    List.of(wallet.getPublicKey().toByteArray(), new PublicKey(TokenProgram.ID.bytes()).toByteArray(),
                            mint.getPublicKey().toByteArray()),
                    new PublicKey(AssociatedTokenProgram.ID.bytes()));
            Pdas.Pda ours = AssociatedTokenProgram.address(SolanajTransactions.key(wallet), SolanajTransactions.key(mint));
            assertEquals(expected.getAddress().toBase58(), ours.address().toBase58());
            assertEquals(expected.getNonce(), ours.bump());
        }
    }

    @Test void realPublicKeysAreOnTheCurveAndPdasAreNot() {
        for (int i = 0; i < 20; i++) assertTrue(Ed25519.isOnCurve(new Account().getPublicKey().toByteArray()));
        Pubkey pda = Pdas.find(TokenProgram.ID, List.of("Run".getBytes())).address();
        assertFalse(Ed25519.isOnCurve(pda.bytes()));
    }

    @Test void signerDerivesTheSamePublicKeyAsSolanaj() {
        Account account = new Account();
        byte[] seed = java.util.Arrays.copyOf(account.getSecretKey(), 32);
        assertEquals(SolanajTransactions.key(account), Keypair.fromSeed(seed).publicKey());
    }

    @Test void signerSignsWhatVerifyAccepts() {
        byte[] seed = new byte[32];
        new java.security.SecureRandom().nextBytes(seed);
        Keypair signer = Keypair.fromSeed(seed);
        byte[] message = "hello".getBytes();
        byte[] signature = signer.sign(message);
        assertTrue(Ed25519.verify(signer.publicKey(), message, signature));
        assertFalse(Ed25519.verify(signer.publicKey(), "hellO".getBytes(), signature));
        assertEquals(signer.publicKey(), Keypair.fromSeed(seed).publicKey());
        assertFalse(signer.toString().contains(Pubkey.base58Encode(seed)));
    }
}
