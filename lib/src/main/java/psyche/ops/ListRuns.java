package psyche.ops;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import psyche.chain.CoordinatorAccountCodec;
import psyche.chain.CoordinatorInstance;
import psyche.chain.Pdas;
import psyche.chain.rpc.RpcTypes.DataSlice;
import psyche.chain.rpc.RpcTypes.Filter;
import psyche.chain.rpc.RpcTypes.ProgramAccount;
import psyche.coordinator.Pubkey;
import psyche.coordinator.RunState;

/**
 * list-runs: two getProgramAccounts calls that carry only what the listing shows. Coordinator accounts are
 * matched by size (119,160 B) and their discriminator (memcmp), and only run_id and run_state travel (a 33-byte
 * data slice instead of 119,160); instances (173 B) come whole. With an authorizer, only runs it may join.
 */
public final class ListRuns {
    private ListRuns() {}

    /** Offsets in the coordinator account (spec §7). */
    static final int RUN_ID_OFFSET = 376;
    static final int RUN_ID_BYTES = 32;
    static final int RUN_STATE_OFFSET = 408;

    public record Listed(String runId, RunState state, Pubkey account, Optional<Pubkey> instance,
                         Optional<Pubkey> mainAuthority, Optional<Pubkey> joinAuthority) {}

    public static List<Listed> execute(Cluster c, Optional<Pubkey> authorizer) {
        List<ProgramAccount> accounts = c.rpc().getProgramAccounts(c.ids().coordinator().toBase58(),
                List.of(Filter.dataSize(CoordinatorAccountCodec.SIZE), Filter.memcmp(0, CoordinatorAccountCodec.DISCRIMINATOR)),
                new DataSlice(RUN_ID_OFFSET, RUN_ID_BYTES + 1));
        List<ProgramAccount> instances = c.rpc().getProgramAccounts(c.ids().coordinator().toBase58(),
                List.of(Filter.dataSize(CoordinatorInstance.SPACE), Filter.memcmp(0, CoordinatorInstance.DISCRIMINATOR)), null);
        Map<Pubkey, CoordinatorInstance> byAccount = new HashMap<>();
        Map<Pubkey, Pubkey> instanceAddress = new HashMap<>();
        for (ProgramAccount pa : instances) {
            CoordinatorInstance ci = CoordinatorInstance.decode(pa.account().data());
            byAccount.put(ci.coordinatorAccount(), ci);
            instanceAddress.put(ci.coordinatorAccount(), Pubkey.fromBase58(pa.pubkey()));
        }
        List<Listed> out = new ArrayList<>();
        for (ProgramAccount pa : accounts) {
            byte[] d = pa.account().data();
            if (d.length < RUN_ID_BYTES + 1) continue;
            int len = 0;
            while (len < RUN_ID_BYTES && d[len] != 0) len++;
            String runId = new String(d, 0, len, StandardCharsets.UTF_8);
            int stateIndex = d[RUN_ID_BYTES] & 0xff;
            RunState state = stateIndex < RunState.values().length ? RunState.values()[stateIndex] : RunState.Uninitialized;
            Pubkey account = Pubkey.fromBase58(pa.pubkey());
            CoordinatorInstance ci = byAccount.get(account);
            out.add(new Listed(runId, state, account, Optional.ofNullable(instanceAddress.get(account)),
                    Optional.ofNullable(ci).map(CoordinatorInstance::mainAuthority),
                    Optional.ofNullable(ci).map(CoordinatorInstance::joinAuthority)));
        }
        if (authorizer.isPresent()) {
            List<Listed> joinable = new ArrayList<>();
            for (Listed l : out) {
                if (l.joinAuthority().isEmpty()) continue;
                for (Pubkey grantee : List.of(JoinAuthorizations.EVERYONE, authorizer.get())) {
                    var f = JoinAuthorizations.find(c, l.joinAuthority().get(), grantee);
                    if (f.isPresent() && f.get().authorization().isValidFor(l.joinAuthority().get(), authorizer.get(),
                            Pdas.Scopes.COORDINATOR_JOIN_RUN)) {
                        joinable.add(l);
                        break;
                    }
                }
            }
            out = joinable;
        }
        out.sort(java.util.Comparator.comparing(Listed::runId));
        return out;
    }

    public static String render(List<Listed> runs) {
        StringBuilder b = new StringBuilder(String.format("%-32s  %-20s  %-44s  %s%n", "RUN_ID", "STATE", "COORDINATOR_ACCOUNT", "MAIN_AUTHORITY"));
        for (Listed l : runs) {
            b.append(String.format("%-32s  %-20s  %-44s  %s%n", l.runId(), l.state().display(), l.account(),
                    l.mainAuthority().map(Pubkey::toBase58).orElse("?")));
        }
        return b.append(runs.size()).append(runs.size() == 1 ? " run" : " runs").toString();
    }
}
