package psyche.chain.local;

import java.util.List;

import org.p2p.solanaj.core.Account;
import org.p2p.solanaj.core.PublicKey;
import org.p2p.solanaj.core.Transaction;
import org.p2p.solanaj.core.TransactionInstruction;

import psyche.chain.rpc.RpcTypes.Blockhash;
import psyche.coordinator.Pubkey;

/** Builds and signs transactions with solanaj, an implementation independent of ours. */
final class SolanajTransactions {
    private SolanajTransactions() {}

    static byte[] sign(Blockhash blockhash, List<Account> signers, TransactionInstruction... instructions) {
        return sign(blockhash.blockhash(), signers, instructions);
    }

    static byte[] sign(String blockhash, List<Account> signers, TransactionInstruction... instructions) {
        Transaction tx = new Transaction();
        for (TransactionInstruction ix : instructions) tx.addInstruction(ix);
        tx.setRecentBlockHash(blockhash);
        tx.sign(signers);
        return tx.serialize();
    }

    static Pubkey key(Account account) { return Pubkey.of(account.getPublicKey().toByteArray()); }

    static PublicKey pk(Pubkey key) { return new PublicKey(key.bytes()); }

    static String b58(Account account) { return account.getPublicKeyBase58(); }
}
