package psyche.chain;

import psyche.coordinator.Pubkey;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/** A Solana instruction: program, ordered account metas, opaque data. Immutable. */
public record Instruction(Pubkey programId, List<AccountMeta> accounts, byte[] data) {
    public Instruction {
        Objects.requireNonNull(programId, "programId");
        accounts = List.copyOf(accounts);
        data = Objects.requireNonNull(data, "data").clone();
    }

    @Override public byte[] data() { return data.clone(); }

    @Override public boolean equals(Object o) {
        return o instanceof Instruction i && programId.equals(i.programId) && accounts.equals(i.accounts)
                && Arrays.equals(data, i.data);
    }

    @Override public int hashCode() { return Objects.hash(programId, accounts, Arrays.hashCode(data)); }

    @Override public String toString() {
        return "Instruction[program=" + programId + ", accounts=" + accounts.size() + ", data="
                + HexFormat.of().formatHex(data) + "]";
    }
}
