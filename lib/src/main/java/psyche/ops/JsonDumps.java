package psyche.ops;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.OptionalLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import psyche.chain.ChainJson;
import psyche.chain.Participant;
import psyche.chain.TokenAccount;
import psyche.coordinator.Client;
import psyche.coordinator.ClientsState;
import psyche.coordinator.CoordinatorState;
import psyche.coordinator.InstanceState;
import psyche.coordinator.Pubkey;
import psyche.coordinator.SolanaClient;
import psyche.frames.TreasuryFigures;

/**
 * json-dump-run and json-dump-user, in exactly run-manager's shapes (spec §6): clients keyed by their 8-hex-char
 * short id, collateral in UI units, points raw; {@code estimated_funded_epochs_count} is {@code null} when nothing
 * is burnt per epoch (serde_json writes an infinite f64 as null).
 */
public final class JsonDumps {
    private JsonDumps() {}

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    public static ObjectNode run(Cluster c, String runId, OptionalLong treasurerIndex) {
        return run(RunSnapshot.fetch(c, runId, treasurerIndex));
    }

    public static ObjectNode run(RunSnapshot s) {
        InstanceState st = s.state();
        CoordinatorState co = st.coordinator();
        ClientsState cs = st.clientsState();
        ObjectNode root = F.objectNode();
        ObjectNode inst = root.putObject("coordinator_instance");
        inst.put("address", s.instanceAddress().toBase58());
        inst.put("join_authority", s.instance().joinAuthority().toBase58());
        inst.put("main_authority", s.instance().mainAuthority().toBase58());

        ObjectNode acc = root.putObject("coordinator_account");
        acc.put("address", s.accountAddress().toBase58());
        acc.put("run_id", co.runId());
        ObjectNode setup = acc.putObject("setup");
        setup.put("client_version", st.clientVersion());
        ObjectNode meta = setup.putObject("metadata");
        meta.put("name", st.metadata().name());
        meta.put("description", st.metadata().description());
        meta.set("num_parameters", u64(st.metadata().numParameters()));
        meta.set("vocab_size", u64(st.metadata().vocabSize()));
        setup.set("model", F.objectNode().set("LLM", ChainJson.toJson(co.model())));
        setup.set("config", ChainJson.toJson(co.config()));
        ObjectNode status = acc.putObject("status");
        status.set("next_active", u64(cs.nextActive()));
        status.put("state", co.runState().display());
        status.put("epoch", co.progress().epoch());
        status.set("step", u64(co.progress().step()));
        ObjectNode epoch = acc.putObject("epoch");
        ObjectNode clients = epoch.putObject("clients");
        ObjectNode alive = clients.putObject("alive");
        for (Client cl : co.epochState().clients()) alive.put(cl.id().shortId(), cl.state().name());
        ObjectNode exited = clients.putObject("exited");
        for (Client cl : co.epochState().exitedClients()) exited.put(cl.id().shortId(), cl.state().name());
        ObjectNode rates = epoch.putObject("rates");
        rates.set("current", rates(cs.currentEpochRates()));
        rates.set("future", rates(cs.futureEpochRates()));
        ObjectNode reg = acc.putObject("clients");
        for (SolanaClient cl : cs.clients()) {
            ObjectNode n = reg.putObject(cl.id().shortId());
            n.set("active", u64(cl.active()));
            n.set("earned", u64(cl.earned()));
            n.set("slashed", u64(cl.slashed()));
        }
        ObjectNode accounting = acc.putObject("accounting");
        accounting.set("max_active", cs.clients().stream().mapToLong(SolanaClient::active).max().stream()
                .mapToObj(JsonDumps::u64).findFirst().orElse(F.nullNode()));
        accounting.set("sum_earned", u64(s.sumEarned()));
        accounting.set("sum_slashed", u64(s.sumSlashed()));
        acc.set("nonce", u64(s.account().nonce()));

        if (s.treasury().isEmpty()) {
            root.putNull("treasurer_run");
        } else {
            RunSnapshot.Treasury t = s.treasury().get();
            TreasuryFigures f = s.treasuryFigures().orElseThrow();
            int d = t.mint().decimals();
            ObjectNode tr = root.putObject("treasurer_run");
            tr.put("address", t.address().toBase58());
            tr.set("index", u64(t.run().index()));
            tr.put("main_authority", t.run().mainAuthority().toBase58());
            tr.put("join_authority", t.run().joinAuthority().toBase58());
            tr.set("total_claimed_earned_points", u64(f.claimed()));
            tr.set("total_claimable_earned_points", u64(f.claimable()));
            tr.set("total_unclaimed_earned_points", u64(f.unclaimed()));
            tr.put("collateral_mint", t.run().collateralMint().toBase58());
            tr.set("funded_collateral_amount", ui(f.funded(), d));
            tr.set("total_missing_collateral_amount", ui(f.missing(), d));
            tr.set("total_surplus_collateral_amount", ui(f.surplus(), d));
            tr.set("burn_collateral_amount_per_epoch", ui(f.burnPerEpoch(), d));
            if (f.burnPerEpoch() == 0) tr.putNull("estimated_funded_epochs_count");
            else tr.put("estimated_funded_epochs_count", (double) f.surplus() / (double) f.burnPerEpoch());
        }
        return root;
    }

    public static ObjectNode user(Cluster c, String runId, OptionalLong treasurerIndex, Pubkey address) {
        RunSnapshot s = RunSnapshot.fetch(c, runId, treasurerIndex);
        long lamports = c.rpc().getBalance(address.toBase58());
        return user(c, s, address, lamports);
    }

    static ObjectNode user(Cluster c, RunSnapshot s, Pubkey address, long lamports) {
        ObjectNode root = F.objectNode();
        root.put("address", address.toBase58());
        root.set("lamports", u64(lamports));
        ObjectNode acc = root.putObject("coordinator_account");
        Optional<SolanaClient> client = s.state().clientsState().clients().stream().filter(cl -> cl.id().signer().equals(address)).findFirst();
        if (client.isPresent()) {
            ObjectNode n = acc.putObject("client");
            n.set("active", u64(client.get().active()));
            n.set("earned", u64(client.get().earned()));
            n.set("slashed", u64(client.get().slashed()));
        } else {
            acc.putNull("client");
        }
        acc.set("epoch_alive", epochClient(s.state().coordinator().epochState().clients(), address));
        acc.set("epoch_exited", epochClient(s.state().coordinator().epochState().exitedClients(), address));
        if (s.treasury().isEmpty()) {
            root.putNull("treasurer_participant");
        } else {
            RunSnapshot.Treasury t = s.treasury().get();
            int d = t.mint().decimals();
            Pubkey ata = c.pdas().associatedTokenAccount(address, t.run().collateralMint()).address();
            long amount = c.account(ata).map(a -> TokenAccount.decode(a.data()).amount()).orElse(0L);
            Optional<Participant> p = c.account(c.pdas().participant(t.address(), address).address()).map(a -> Participant.decode(a.data()));
            ObjectNode tp = root.putObject("treasurer_participant");
            tp.put("collateral_mint", t.run().collateralMint().toBase58());
            tp.set("collateral_amount", ui(amount, d));
            tp.set("claimed_earned_points", p.map(x -> (JsonNode) u64(x.claimedEarnedPoints())).orElse(F.nullNode()));
            tp.set("claimed_collateral_amount", p.map(x -> ui(x.claimedCollateralAmount(), d)).orElse(F.nullNode()));
        }
        return root;
    }

    private static JsonNode epochClient(java.util.List<Client> list, Pubkey address) {
        return list.stream().filter(cl -> cl.id().signer().equals(address)).findFirst().<JsonNode>map(cl -> {
            ObjectNode n = F.objectNode();
            n.put("state", cl.state().name());
            n.set("exited_height", u64(cl.exitedHeight()));
            return n;
        }).orElse(F.nullNode());
    }

    private static ObjectNode rates(psyche.coordinator.Rates r) {
        ObjectNode n = F.objectNode();
        n.set("earning", u64(r.earningRateTotalShared()));
        n.set("slashing", u64(r.slashingRatePerClient()));
        return n;
    }

    private static JsonNode u64(long v) { return ChainJson.toJson(v); }

    /** Native units as a UI amount (native / 10^decimals), as run-manager's {@code native_amount_to_ui_amount}. */
    private static JsonNode ui(long native_, int decimals) {
        // (native as f64) / (10^decimals as f64), as solana-common/src/utils.rs:6-9 computes it
        double n = native_ >= 0 ? (double) native_ : new BigDecimal(Long.toUnsignedString(native_)).doubleValue();
        return F.numberNode(n / new java.math.BigDecimal(java.math.BigInteger.TEN.pow(decimals)).doubleValue());
    }

    /** Pretty JSON text of a dump, byte for byte as run-manager prints it (serde_json's to_string_pretty). */
    public static String render(JsonNode dump) {
        return ChainJson.serdePretty(dump);
    }
}
