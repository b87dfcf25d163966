package psyche.chain.rpc;

import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** The values the RPC client returns and takes. */
public final class RpcTypes {
    private RpcTypes() {}

    /** A recent blockhash and the last block height at which a transaction using it can land. */
    public record Blockhash(String blockhash, long lastValidBlockHeight) {}

    /** An account as getAccountInfo returns it (data possibly a slice). */
    public record AccountInfo(long lamports, String owner, byte[] data, boolean executable, long space) {
        static AccountInfo fromJson(JsonNode v) {
            if (v == null || v.isNull() || v.isMissingNode()) return null;
            JsonNode d = v.get("data");
            byte[] data = d.isArray() && "base64".equals(d.get(1).asText()) ? Base64.getDecoder().decode(d.get(0).asText())
                    : psyche.coordinator.Pubkey.base58Decode(d.isArray() ? d.get(0).asText() : d.asText());
            return new AccountInfo(v.path("lamports").asLong(), v.path("owner").asText(), data,
                    v.path("executable").asBoolean(), v.path("space").asLong(data.length));
        }
    }

    /** One result of getProgramAccounts. */
    public record ProgramAccount(String pubkey, AccountInfo account) {}

    /** A getProgramAccounts filter: {@code memcmp} at an offset, or an exact {@code dataSize}. */
    public record Filter(String kind, int offset, byte[] bytes, long dataSize) {
        public static Filter memcmp(int offset, byte[] bytes) { return new Filter("memcmp", offset, bytes.clone(), 0); }
        public static Filter dataSize(long size) { return new Filter("dataSize", 0, null, size); }
    }

    /** Only {@code length} bytes from {@code offset} of each account's data. */
    public record DataSlice(int offset, int length) {}

    /** A signature's status: the slot it landed in, its error (null on success) and how final it is. */
    public record SignatureStatus(long slot, Long confirmations, JsonNode err, String confirmationStatus) {
        public boolean succeeded() { return err == null || err.isNull(); }
    }

    /** What simulateTransaction reports. */
    public record Simulation(JsonNode err, List<String> logs, long unitsConsumed) {
        public boolean succeeded() { return err == null || err.isNull(); }
    }
}
