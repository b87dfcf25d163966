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

    /** A run as run-manager's list-runs shows it (docker/coordinator_client.rs RunInfo) and the grantee that admits the user. */
    public record Joinable(String runId, RunState state, int numClients, int minClients, long epochTimeSecs,
                           long epochStartTimestamp, Pubkey grantee) {}

    /**
     * run-manager's list-runs (main.rs list_runs, docker/manager.rs find_joinable_runs): runs not Uninitialized,
     * Finished or Paused; with {@code joinAuthority}, only runs whose join authority it is; then only runs the user
     * may join, trying the public grant (111…1), the user's own grant, then {@code delegateAuthorizer} (env
     * AUTHORIZER) as can_user_join_run does; WaitingForMembers first, otherwise in the order the RPC lists them.
     */
    public static List<Joinable> joinable(Cluster c, Pubkey user, Optional<Pubkey> joinAuthority, Optional<Pubkey> delegateAuthorizer) {
        List<ProgramAccount> instances = c.rpc().getProgramAccounts(c.ids().coordinator().toBase58(),
                List.of(Filter.dataSize(CoordinatorInstance.SPACE), Filter.memcmp(0, CoordinatorInstance.DISCRIMINATOR)), null);
        List<Joinable> out = new ArrayList<>();
        for (ProgramAccount pa : instances) {
            CoordinatorInstance ci;
            psyche.chain.CoordinatorAccount account;
            try {
                ci = CoordinatorInstance.decode(pa.account().data());
                var data = c.account(ci.coordinatorAccount());
                if (data.isEmpty()) continue; // skipped, as run-manager skips what it cannot fetch
                account = psyche.chain.CoordinatorAccount.decode(data.get().data());
            } catch (RuntimeException e) {
                continue;
            }
            var co = account.state().coordinator();
            RunState st = co.runState();
            if (st == RunState.Uninitialized || st == RunState.Finished || st == RunState.Paused) continue;
            if (joinAuthority.isPresent() && !ci.joinAuthority().equals(joinAuthority.get())) continue;
            List<Pubkey> grantees = new ArrayList<>(List.of(JoinAuthorizations.EVERYONE, user));
            delegateAuthorizer.ifPresent(grantees::add);
            for (Pubkey grantee : grantees) {
                var f = JoinAuthorizations.find(c, ci.joinAuthority(), grantee);
                if (f.isPresent() && f.get().authorization().isValidFor(ci.joinAuthority(), user, Pdas.Scopes.COORDINATOR_JOIN_RUN)) {
                    out.add(new Joinable(ci.runId(), st, co.epochState().clients().size(), co.config().minClients(),
                            co.config().epochTime(), co.epochState().startTimestamp(), grantee));
                    break;
                }
            }
        }
        out.sort(java.util.Comparator.comparingInt(j -> j.state() == RunState.WaitingForMembers ? 0 : 1)); // stable
        return out;
    }

    /** run-manager's output: "Found N joinable run(s):" and RunInfo::format_table, or "No available runs to join". */
    public static String renderJoinable(List<Joinable> runs, long nowSecs) {
        if (runs.isEmpty()) return "No available runs to join";
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"run-id", "state", "clients", "epoch time", "time left"});
        for (Joinable j : runs) {
            String clients = j.numClients() < j.minClients() ? j.numClients() + "/" + j.minClients() + " waiting" : j.numClients() + " training";
            String left;
            if (j.state() == RunState.WaitingForMembers || j.epochStartTimestamp() == 0) left = "-";
            else {
                long elapsed = Math.max(0, nowSecs - j.epochStartTimestamp());
                left = Long.compareUnsigned(elapsed, j.epochTimeSecs()) >= 0 ? "overrun" : duration(j.epochTimeSecs() - elapsed);
            }
            rows.add(new String[] {j.runId(), j.state().display(), clients, duration(j.epochTimeSecs()), left});
        }
        int[] w = new int[4];
        for (String[] r : rows) for (int i = 0; i < 4; i++) w[i] = Math.max(w[i], r[i].length());
        StringBuilder b = new StringBuilder("Found " + runs.size() + " joinable run(s):");
        for (String[] r : rows) {
            b.append("\n  ");
            for (int i = 0; i < 4; i++) b.append(r[i]).append(" ".repeat(w[i] - r[i].length())).append("   ");
            b.append(r[4]);
        }
        return b.toString();
    }

    /** format_duration_secs: "1h 2m 3s", zero parts left out, "0s" for zero. */
    static String duration(long secs) {
        long h = secs / 3600, m = (secs % 3600) / 60, s = secs % 60;
        List<String> parts = new ArrayList<>();
        if (h > 0) parts.add(h + "h");
        if (m > 0) parts.add(m + "m");
        if (s > 0 || parts.isEmpty()) parts.add(s + "s");
        return String.join(" ", parts);
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
