package psyche.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import psyche.chain.Instruction;
import psyche.chain.Keypair;
import psyche.chain.TokenMint;
import psyche.coordinator.Pubkey;

/**
 * Test collateral for treasurer runs on a local chain or devnet: a fresh SPL mint (the wallet is its authority)
 * and minting to any wallet's associated token account, created when missing.
 */
public final class TestTokens {
    private TestTokens() {}

    /** Creates a mint with {@code decimals}; returns its address. */
    public static Pubkey createMint(Cluster c, Keypair authority, int decimals) {
        if (decimals < 0 || decimals > 18) throw new OpsException(OpsException.Reason.INVALID, "decimals must be 0..18, got " + decimals);
        try (Keypair mint = Keypair.generate()) {
            long rent = c.rpc().getMinimumBalanceForRentExemption(TokenMint.SIZE);
            c.send("create test mint", authority, List.of(
                    c.natives().createAccount(authority.publicKey(), mint.publicKey(), rent, TokenMint.SIZE, c.ids().token()),
                    c.natives().initializeMint(mint.publicKey(), decimals, authority.publicKey(), Optional.empty())), mint);
            return mint.publicKey();
        }
    }

    /** Mints {@code amount} native units to {@code wallet}'s token account (created if missing). */
    public static Cluster.Sent mintTo(Cluster c, Keypair authority, Pubkey mint, Pubkey wallet, long amount) {
        Inputs.positiveAmount(amount, "the amount to mint");
        Pubkey ata = c.pdas().associatedTokenAccount(wallet, mint).address();
        List<Instruction> ixs = new ArrayList<>();
        if (c.account(ata).isEmpty()) ixs.add(c.natives().createAssociatedTokenAccount(authority.publicKey(), wallet, mint, true));
        ixs.add(c.natives().mintTo(mint, ata, authority.publicKey(), amount));
        return c.send("mint test tokens to " + wallet, authority, ixs);
    }

    /** Airdrops lamports to {@code wallet} (local chain, devnet, testnet faucets) and waits for them. */
    public static String airdrop(Cluster c, Pubkey wallet, long lamports) {
        if (lamports <= 0) throw new OpsException(OpsException.Reason.INVALID, "an airdrop must be more than 0 lamports, got " + lamports);
        String sig = c.rpc().requestAirdrop(wallet.toBase58(), lamports);
        c.rpc().confirm(sig, c.rpc().commitment(), 0);
        return sig;
    }
}
