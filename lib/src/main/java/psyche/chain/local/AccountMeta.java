package psyche.chain.local;

import psyche.coordinator.Pubkey;

/** An account passed to a cross-program invocation, with the privileges asked for it. */
public record AccountMeta(Pubkey key, boolean isSigner, boolean isWritable) {
    public static AccountMeta writable(Pubkey key, boolean signer) { return new AccountMeta(key, signer, true); }
    public static AccountMeta readonly(Pubkey key, boolean signer) { return new AccountMeta(key, signer, false); }
}
