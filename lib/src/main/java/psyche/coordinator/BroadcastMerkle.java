package psyche.coordinator;

import java.util.ArrayList;
import java.util.List;


/**
 * The {@code broadcast_merkle} root a witness reports: Psyche's {@code MerkleTree::new(&round.broadcasts).get_root()}
 * ({@code shared/core/src/merkle_tree.rs}, after Solana's merkle-tree crate). Leaves are {@code sha256(0x00 ‖ item)},
 * inner nodes {@code sha256(0x01 ‖ left ‖ right)} (the prefixes stop second-preimage tricks), a level of odd length
 * pairs its last node with itself, and no items give the all-zero root ({@code MerkleRoot::default()}).
 */
public final class BroadcastMerkle {
    private static final byte[] LEAF_PREFIX = {0};
    private static final byte[] INTERMEDIATE_PREFIX = {1};

    private BroadcastMerkle() {}

    /** The root over {@code items} in the given order (32 zero bytes for none). */
    public static byte[] root(List<byte[]> items) {
        if (items.isEmpty()) return new byte[32];
        List<byte[]> level = new ArrayList<>(items.size());
        for (byte[] item : items) level.add(Hashing.sha256(LEAF_PREFIX, item));
        while (level.size() > 1) {
            List<byte[]> next = new ArrayList<>((level.size() + 1) / 2);
            for (int i = 0; i < level.size(); i += 2) {
                byte[] left = level.get(i);
                byte[] right = i + 1 < level.size() ? level.get(i + 1) : left;
                next.add(Hashing.sha256(INTERMEDIATE_PREFIX, left, right));
            }
            level = next;
        }
        return level.get(0);
    }
}
