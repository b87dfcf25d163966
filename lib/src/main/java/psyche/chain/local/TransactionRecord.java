package psyche.chain.local;

import java.util.List;

import psyche.coordinator.Pubkey;

/**
 * A transaction that landed on the local chain (successfully or not: a failed transaction still pays its fee), as
 * getTransaction and getSignatureStatuses report it.
 */
public record TransactionRecord(byte[] signature, long slot, long blockTime, byte[] wire, TransactionError err, long fee,
                                List<String> logs, long[] preBalances, long[] postBalances, long unitsConsumed) {
    public TransactionRecord {
        logs = List.copyOf(logs);
    }

    public String signatureBase58() { return Pubkey.base58Encode(signature); }

    public boolean succeeded() { return err == null; }

    public WireTransaction transaction() { return WireTransaction.parse(wire); }
}
