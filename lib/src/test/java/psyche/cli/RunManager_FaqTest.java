package psyche.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import psyche.chain.Keypair;
import psyche.chain.ProgramIds;
import psyche.chain.local.LocalChain;
import psyche.chain.rpc.RpcClient;
import psyche.coordinator.Pubkey;
import psyche.ops.Cluster;
import psyche.ops.TestTokens;

/** The seeds' FAQ commands (psyche-solana-client spellings, native units) and the remaining owner subcommands. */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class RunManager_FaqTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path dir;
    static LocalChain chain;
    static RpcClient rpc;
    static Cluster cluster;
    static Keypair owner, member, delegate;
    static Pubkey mint;
    static final Map<String, String> P = new HashMap<>();

    @BeforeAll static void start() {
        chain = LocalChain.builder().optInMemory().optRpcPort(0).start();
        rpc = RpcClient.builder().optEndpoint(chain.rpcUrl()).optPollInterval(Duration.ofMillis(5)).build();
        cluster = new Cluster(rpc, ProgramIds.MAINNET, false);
        owner = Keypair.generate();
        member = Keypair.generate();
        delegate = Keypair.generate();
        Path ownerFile = dir.resolve("owner.json"), memberFile = dir.resolve("member.json");
        owner.save(ownerFile);
        member.save(memberFile);
        Path delegateFile = dir.resolve("delegate.json");
        delegate.save(delegateFile);
        P.put("[DELEGATE_WALLET]", delegateFile.toString());
        TestTokens.airdrop(cluster, owner.publicKey(), 20_000_000_000L);
        TestTokens.airdrop(cluster, member.publicKey(), 1_000_000_000L);
        mint = TestTokens.createMint(cluster, owner, 6);
        TestTokens.mintTo(cluster, owner, mint, owner.publicKey(), 100_000_000L);
        P.put("[RPC]", chain.rpcUrl());
        P.put("[WALLET_PATH]", ownerFile.toString());
        P.put("[MEMBER_WALLET]", memberFile.toString());
        P.put("[RUN_ID]", "faq-run");
        P.put("[OWNER]", owner.publicKey().toBase58());
        P.put("[MEMBER]", member.publicKey().toBase58());
        P.put("[DELEGATE]", delegate.publicKey().toBase58());
        P.put("[MINT]", mint.toBase58());
        Path tiny = Path.of("../notebooks/configs/tiny.toml");
        P.put("[NEW_CONFIG_PATH]", (Files.exists(tiny) ? tiny : Path.of("notebooks/configs/tiny.toml")).toAbsolutePath().toString());
        run("run-manager create-run --rpc [RPC] --run-id [RUN_ID] --treasurer-collateral-mint [MINT] -w [WALLET_PATH] -c test").ok();
    }

    @AfterAll static void stop() {
        rpc.close();
        chain.close();
    }

    static SeedCommands.Outcome run(String text) { return SeedCommands.run(text, P); }

    static JsonNode dump() throws Exception {
        return JSON.readTree(run("psyche-solana-client json-dump-run --rpc [RPC] --run-id [RUN_ID]").ok().out());
    }

    @Test @org.junit.jupiter.api.Order(1) void faqRatesTopUpPauseUpdateResume() throws Exception {
        // FAQ: rates in points, top-up in the token's smallest unit
        run("""
                psyche-solana-client set-future-epoch-rates \\
                    --rpc [RPC] \\
                    --run-id [RUN_ID] \\
                    --earning-rate 100 \\
                    --slashing-rate 50 \\
                    --wallet-private-key-path [WALLET_PATH]
                """).ok();
        JsonNode d = dump();
        assertEquals(100, d.at("/coordinator_account/epoch/rates/future/earning").asLong());
        assertEquals(50, d.at("/coordinator_account/epoch/rates/future/slashing").asLong());
        run("""
                psyche-solana-client treasurer-top-up-rewards \\
                    --rpc [RPC] \\
                    --run-id [RUN_ID] \\
                    --collateral-amount 1000000 \\
                    --wallet-private-key-path [WALLET_PATH]
                """).ok();
        assertEquals(1.0, dump().at("/treasurer_run/funded_collateral_amount").asDouble());
        assertTrue(dump().at("/treasurer_run/estimated_funded_epochs_count").isNull(),
                "future rates are not burnt yet: current earning 0 gives an infinite runway, which serde_json writes as null");

        run("psyche-solana-client update-config --rpc [RPC] --run-id [RUN_ID] --config-path [NEW_CONFIG_PATH] --wallet-private-key-path [WALLET_PATH]").ok();
        run("""
                psyche-solana-client set-paused \\
                    --rpc [RPC] \\
                    --run-id [RUN_ID] \\
                    --resume \\
                    --wallet-private-key-path [WALLET_PATH]
                """).ok();
        run("""
                psyche-solana-client set-paused \\
                    --rpc [RPC] \\
                    --run-id [RUN_ID] \\
                    --pause \\
                    --wallet-private-key-path [WALLET_PATH]
                """).ok();
        SeedCommands.Outcome halted = run("run-manager tick --rpc [RPC] --run-id [RUN_ID] -w [WALLET_PATH]").failed();
        assertTrue(halted.err().contains("CoordinatorErrorHalted (custom program error 6015) in program " + ProgramIds.COORDINATOR
                + "; the run is Uninitialized, Paused or Finished; resume it (set-paused --resume) first"), halted.err());
        // FAQ: changing the config of a paused run, with metadata, then resuming
        SeedCommands.Outcome upd = run("""
                psyche-solana-client update-config \\
                    --rpc [RPC] \\
                    --run-id [RUN_ID] \\
                    --config-path [NEW_CONFIG_PATH] \\
                    --name "FAQ run" --num-parameters 1000000 --vocab-size 32000 \\
                    --wallet-private-key-path [WALLET_PATH]
                """).ok();
        assertTrue(upd.out().contains("Signature: "), upd.out());
        JsonNode meta = dump().at("/coordinator_account/setup/metadata");
        assertEquals("FAQ run", meta.get("name").asText());
        assertEquals(1_000_000, meta.get("num_parameters").asLong());
        assertEquals(32_000, meta.get("vocab_size").asLong());
        SeedCommands.Outcome same = run("run-manager update-config --rpc [RPC] --run-id [RUN_ID] --config-path [NEW_CONFIG_PATH] -w [WALLET_PATH]").failed();
        assertTrue(same.err().contains("nothing to update for run 'faq-run'"), same.err());
        run("psyche-solana-client set-paused --rpc [RPC] --run-id [RUN_ID] --resume --wallet-private-key-path [WALLET_PATH]").ok();
        assertEquals("Waiting for members", dump().at("/coordinator_account/status/state").asText());
    }

    @Test @org.junit.jupiter.api.Order(2) void authorizationsDelegatesCanJoinListRunsTickDiagnose() {
        run("run-manager join-authorization-create --rpc [RPC] -w [WALLET_PATH] --authorizer [MEMBER]").ok();
        SeedCommands.Outcome del = run("run-manager join-authorization-delegate --rpc [RPC] -w [MEMBER_WALLET] --join-authority [OWNER] --delegates-added [DELEGATE]").ok();
        assertTrue(del.out().contains("delegates: 1"), del.out());
        SeedCommands.Outcome read = run("run-manager join-authorization-read --rpc [RPC] --join-authority [OWNER] --authorizer [MEMBER]").ok();
        assertTrue(read.out().contains(delegate.publicKey().toBase58()), read.out());
        assertTrue(run("run-manager can-join --rpc [RPC] --run-id [RUN_ID] --address [DELEGATE] --authorizer [MEMBER]").ok().out().startsWith("yes: "));
        // list-runs as run-manager's (main.rs list_runs): runs the wallet may join; --authorizer filters by join authority
        SeedCommands.Outcome listed = run("run-manager list-runs --rpc [RPC] -w [MEMBER_WALLET]").ok();
        assertTrue(listed.out().startsWith("Found 1 joinable run(s):") && listed.out().contains("faq-run"), listed.out());
        assertTrue(run("run-manager list-runs --rpc [RPC] -w [MEMBER_WALLET] --authorizer [OWNER]").ok().out().contains("faq-run"));
        assertTrue(run("run-manager list-runs --rpc [RPC] -w [MEMBER_WALLET] --authorizer [MEMBER]").ok().out().contains("No available runs to join"));
        assertTrue(run("run-manager list-runs --rpc [RPC] -w [DELEGATE_WALLET]").ok().out().contains("No available runs to join"),
                "a delegate is admitted through the member's authorization, not its own grantee key");
        Path env = dir.resolve("delegate.env");
        try {
            Files.writeString(env, "# as run-manager's docker .env\nAUTHORIZER=\"" + member.publicKey() + "\"\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        P.put("[ENV_FILE]", env.toString());
        assertTrue(run("run-manager list-runs --rpc [RPC] -w [DELEGATE_WALLET] --env-file [ENV_FILE]").ok().out().contains("faq-run"),
                "AUTHORIZER from the env file: the delegate is admitted through the member's grant");
        assertTrue(run("run-manager list-runs --all --rpc [RPC]").ok().out().contains("faq-run"));
        run("run-manager join-authorization-delete --rpc [RPC] -w [WALLET_PATH] --authorizer [MEMBER]").ok();
        assertEquals(1, run("run-manager can-join --rpc [RPC] --run-id [RUN_ID] --address [MEMBER] --authorizer [MEMBER]").code());

        SeedCommands.Outcome diag = run("run-manager diagnose --rpc [RPC] --run-id [RUN_ID] --address [MEMBER]");
        assertTrue(diag.out().contains("MISSING_AUTHORIZATION") || diag.out().contains("NOT_CONFIGURED") || diag.out().contains("WAITING_FOR_CLIENTS"), diag.out());
        assertEquals(1, diag.code(), "a PROBLEM finding exits 1");

        Path historyFile = dir.resolve("history.db");
        try (psyche.history.HistoryStore store = psyche.history.HistoryStore.open(historyFile)) {
            var snapshot = psyche.ops.RunSnapshot.fetch(cluster, "faq-run", java.util.OptionalLong.empty());
            store.record(snapshot.state(), java.time.Instant.now().minusSeconds(30));
        }
        P.put("[HISTORY]", historyFile.toString());
        SeedCommands.Outcome withHistory = run("run-manager diagnose --rpc [RPC] --run-id [RUN_ID] --history [HISTORY]");
        assertTrue(withHistory.out().startsWith("Diagnosis of run 'faq-run'"), withHistory.out() + withHistory.err());

        SeedCommands.Outcome ticks = run("run-manager tick --rpc [RPC] --run-id [RUN_ID] --count 2 --ms-interval 10 -w [MEMBER_WALLET]").ok();
        assertEquals(2, ticks.out().split("Ticked run faq-run with transaction ", -1).length - 1, ticks.out()); // run/tick.rs:49

        SeedCommands.Outcome cp = run("run-manager checkpoint --rpc [RPC] --run-id [RUN_ID] --repo org/model -w [MEMBER_WALLET]").failed();
        assertTrue(cp.err().contains("is not a client of the current epoch"), cp.err());
    }
}
