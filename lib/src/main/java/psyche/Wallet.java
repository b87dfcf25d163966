package psyche;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

import psyche.chain.Keypair;
import psyche.coordinator.Pubkey;
import psyche.ops.Cluster;
import psyche.ops.TestTokens;

/**
 * A signing key on a cluster: its public key and balance. The secret stays inside; {@link #toString()} shows only
 * the public key.
 */
public final class Wallet implements AutoCloseable {
    private final Keypair keypair;
    private final Cluster cluster;

    Wallet(Keypair keypair, Cluster cluster) {
        this.keypair = Objects.requireNonNull(keypair, "keypair");
        this.cluster = Objects.requireNonNull(cluster, "cluster");
    }

    /** Loads a Solana CLI keypair file. */
    static Wallet load(Path file, Cluster cluster) { return new Wallet(Keypair.load(file), cluster); }

    /**
     * The keypair file at {@code file}, created (owner-only) when absent; an existing file is never overwritten.
     * Returns whether it was created.
     */
    static boolean ensureKeyFile(Path file) {
        if (Files.exists(file)) return false;
        try (Keypair k = Keypair.generate()) {
            k.save(file);
        }
        return true;
    }

    public Pubkey pubkey() { return keypair.publicKey(); }

    /** Balance in lamports. */
    public long lamports() { return cluster.rpc().getBalance(pubkey().toBase58()); }

    /** Balance in SOL. */
    public double balance() { return lamports() / 1e9; }

    /** Asks the cluster's faucet (local chain, devnet) for {@code sol} SOL and waits until it lands. */
    public Wallet airdrop(double sol) {
        TestTokens.airdrop(cluster, pubkey(), Math.round(sol * 1e9));
        return this;
    }

    /** The key itself, for operations in {@code psyche.ops}. */
    public Keypair keypair() { return keypair; }

    @Override public void close() { keypair.close(); }

    @Override public String toString() { return "Wallet[" + pubkey() + "]"; }
}
