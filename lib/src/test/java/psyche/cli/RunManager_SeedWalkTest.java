package psyche.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import psyche.chain.Keypair;
import psyche.chain.local.LocalChain;
import psyche.chain.local.MutableClock;
import psyche.chain.rpc.RpcClient;
import psyche.coordinator.Pubkey;
import psyche.coordinator.RunState;
import psyche.ops.Cluster;
import psyche.ops.TestTokens;
import psyche.client.KeyedChainClients;

/**
 * Seed 001 (the run owner's workflow) and the FAQ's owner commands, end to end through {@link RunManager#execute}
 * against a local chain on a free loopback port: each command as the seed writes it, only placeholders filled in.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunManager_SeedWalkTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String EVERYONE = "11111111111111111111111111111111";
    static final String PLAIN_RUN = "seed-plain";
    static final String TREASURER_RUN = "seed-rewards";

    @TempDir static Path dir;
    static final MutableClock clock = new MutableClock(1_800_000_000_000L);
    static LocalChain chain;
    static RpcClient rpc;
    static Cluster cluster;
    static Keypair owner, joiner, clientA, clientB;
    static Path ownerFile, joinerFile, clientAFile, clientBFile;
    static Pubkey mint;
    static final Map<String, String> P = new HashMap<>();

    @BeforeAll static void start() throws Exception {
        chain = LocalChain.builder().optLedgerDir(dir.resolve("ledger")).optRpcPort(0).optClock(clock).start();
        rpc = RpcClient.builder().optEndpoint(chain.rpcUrl()).optPollInterval(Duration.ofMillis(5)).build();
        cluster = new Cluster(rpc, psyche.chain.ProgramIds.MAINNET, false);
        owner = Keypair.generate();
        joiner = Keypair.generate();
        clientA = Keypair.generate();
        clientB = Keypair.generate();
        ownerFile = save(owner, "owner.json");
        joinerFile = save(joiner, "joiner.json");
        clientAFile = save(clientA, "client-a.json");
        clientBFile = save(clientB, "client-b.json");
        for (Keypair k : List.of(owner, joiner, clientA, clientB)) TestTokens.airdrop(cluster, k.publicKey(), 50_000_000_000L);
        mint = TestTokens.createMint(cluster, owner, 6);
        TestTokens.mintTo(cluster, owner, mint, owner.publicKey(), 1_000_000_000L);

        P.put("[RPC]", chain.rpcUrl());
        P.put("[SOLANA_KEY_FILE]", ownerFile.toString());
        P.put("[JSON_PRIVATE_KEY_PATH]", ownerFile.toString());
        P.put("[WALLET_PATH]", ownerFile.toString());
        P.put("~/.config/solana/owner.json", ownerFile.toString());
        P.put("$(solana-keygen pubkey ~/.config/solana/joiner.json)", joiner.publicKey().toBase58());
        P.put("[JOIN_AUTHORITY_PUBKEY]", owner.publicKey().toBase58());
        P.put("[TOKEN_PUBKEY]", mint.toBase58());
        P.put("[CONFIG_FILE_PATH]", tinyToml().toString());
        P.put("[NEW_CONFIG_PATH]", tinyToml().toString());
    }

    static Path save(Keypair k, String name) {
        Path p = dir.resolve(name);
        k.save(p);
        return p;
    }

    static Path tinyToml() {
        Path p = Path.of("../notebooks/configs/tiny.toml");
        return Files.exists(p) ? p.toAbsolutePath() : Path.of("notebooks/configs/tiny.toml").toAbsolutePath();
    }

    @AfterAll static void stop() {
        if (rpc != null) rpc.close();
        if (chain != null) chain.close();
    }

    static SeedCommands.Outcome seed(String text, String runId) {
        Map<String, String> p = new HashMap<>(P);
        p.put("[RUN_ID]", runId);
        return SeedCommands.run(text, p);
    }

    static JsonNode json(SeedCommands.Outcome o) throws Exception { return JSON.readTree(o.out()); }

    static Set<String> keys(JsonNode n) {
        Set<String> s = new TreeSet<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) s.add(it.next());
        return s;
    }

    @Test @Order(1) void authorizationsPublicAndPrivate() {
        SeedCommands.Outcome pub = seed("""
                run-manager join-authorization-create \\
                    --rpc [RPC] \\
                    --wallet-private-key-path [SOLANA_KEY_FILE] \\
                    --authorizer 11111111111111111111111111111111
                """, "").ok();
        assertTrue(pub.out().contains("Signature: "), pub.out());
        assertTrue(pub.out().contains("active: true"), pub.out());
        assertTrue(pub.out().contains("(everyone)"), pub.out());

        SeedCommands.Outcome priv = seed("""
                run-manager join-authorization-create \\
                    --rpc [RPC] \\
                    --wallet-private-key-path ~/.config/solana/owner.json \\
                    --authorizer $(solana-keygen pubkey ~/.config/solana/joiner.json)
                """, "").ok();
        assertTrue(priv.out().contains("grantee: " + joiner.publicKey()), priv.out());
        assertTrue(priv.out().contains("active: true"), priv.out());
        // the program logs come with the signature
        assertTrue(priv.out().contains("Program PsyAUmhpmiUouWsnJdNGFSX8vZ6rWjXjgDPHsgqPGyw"), priv.out());

        // running it again changes nothing and says so
        assertTrue(seed("run-manager join-authorization-create --rpc [RPC] --wallet-private-key-path [SOLANA_KEY_FILE] --authorizer "
                + EVERYONE, "").ok().out().contains("already active"));
    }

    @Test @Order(2) void createPlainAndTreasurerRuns() throws Exception {
        SeedCommands.Outcome plain = seed("""
                run-manager create-run \\
                    --rpc [RPC] \\
                    --run-id [RUN_ID] \\
                    --join-authority [JOIN_AUTHORITY_PUBKEY] \\
                    --wallet-private-key-path [JSON_PRIVATE_KEY_PATH] \\
                    --client-version "latest"
                """, PLAIN_RUN).ok();
        assertTrue(plain.out().contains("Created run '" + PLAIN_RUN + "'"), plain.out());

        SeedCommands.Outcome rewards = seed("""
                run-manager create-run \\
                    --rpc [RPC] \\
                    --run-id [RUN_ID] \\
                    --join-authority [JOIN_AUTHORITY_PUBKEY] \\
                    --treasurer-collateral-mint [TOKEN_PUBKEY] \\
                    --wallet-private-key-path [JSON_PRIVATE_KEY_PATH] \\
                    --client-version "latest"
                """, TREASURER_RUN).ok();
        assertTrue(rewards.out().contains("treasurer run:"), rewards.out());

        JsonNode dump = json(seed("run-manager json-dump-run --rpc [RPC] --run-id [RUN_ID]", PLAIN_RUN).ok());
        assertEquals("Uninitialized", dump.at("/coordinator_account/status/state").asText());
        assertEquals("latest", dump.at("/coordinator_account/setup/client_version").asText());
        assertEquals(owner.publicKey().toBase58(), dump.at("/coordinator_instance/main_authority").asText());
        assertTrue(dump.get("treasurer_run").isNull());
    }

    @Test @Order(3) void updateConfigResumeRatesTopUp() throws Exception {
        for (String run : List.of(PLAIN_RUN, TREASURER_RUN)) {
            SeedCommands.Outcome upd = seed("""
                    run-manager update-config \\
                        --rpc [RPC] \\
                        --run-id [RUN_ID] \\
                        --config-path [CONFIG_FILE_PATH] \\
                        --wallet-private-key-path [JSON_PRIVATE_KEY_PATH]
                    """, run).ok();
            assertTrue(upd.out().contains("Signature: "), upd.out());
            assertTrue(upd.out().contains("warning: "), "tiny.toml's Local data location is a warning: " + upd.out());
            seed("""
                    run-manager set-paused \\
                        --rpc [RPC] \\
                        --run-id [RUN_ID] \\
                        --resume \\
                        --wallet-private-key-path [JSON_PRIVATE_KEY_PATH]
                    """, run).ok();
        }
        SeedCommands.Outcome rates = seed("""
                run-manager set-future-epoch-rates \\
                    --rpc [RPC] \\
                    --run-id [RUN_ID] \\
                    --earning-rate-total-shared 3 \\
                    --slashing-rate-per-client 0.5 \\
                    --wallet-private-key-path [JSON_PRIVATE_KEY_PATH]
                """, TREASURER_RUN).ok();
        assertTrue(rates.out().contains("earning 3 tokens shared per epoch"), rates.out());
        SeedCommands.Outcome topUp = seed("""
                run-manager treasurer-top-up-rewards \\
                    --rpc [RPC] \\
                    --run-id [RUN_ID] \\
                    --collateral-amount 2 \\
                    --wallet-private-key-path [JSON_PRIVATE_KEY_PATH]
                """, TREASURER_RUN).ok();
        assertTrue(topUp.out().contains("by 2 tokens (2,000,000 native units)"), topUp.out());

        JsonNode dump = json(seed("""
                run-manager json-dump-run \\
                    --rpc [RPC] \\
                    --run-id [RUN_ID]
                """, TREASURER_RUN).ok());
        assertEquals("Waiting for members", dump.at("/coordinator_account/status/state").asText());
        assertEquals(3_000_000, dump.at("/coordinator_account/epoch/rates/future/earning").asLong());
        assertEquals(500_000, dump.at("/coordinator_account/epoch/rates/future/slashing").asLong());
        assertEquals(2.0, dump.at("/treasurer_run/funded_collateral_amount").asDouble());
        assertEquals(mint.toBase58(), dump.at("/treasurer_run/collateral_mint").asText());
        assertEquals(60, dump.at("/coordinator_account/setup/config/epoch_time").asLong());
        assertTrue(dump.at("/coordinator_account/setup/model/LLM").isObject(), dump.toString());
        // serde's names: snake_case fields, externally tagged enums
        assertEquals(128, dump.at("/coordinator_account/setup/model/LLM/max_seq_len").asLong());
        assertEquals("psyche-workbench/llama-tiny", dump.at("/coordinator_account/setup/model/LLM/checkpoint/Hub/repo_id").asText());
        assertTrue(dump.at("/coordinator_account/setup/model/LLM/optimizer/Distro/quantize_1bit").asBoolean(), dump.toString());
    }

    @Test @Order(4) void clientsFinishAnEpochThenClaimAndDump() throws Exception {
        try (KeyedChainClients clients = new KeyedChainClients(rpc, TREASURER_RUN, List.of(clientA, clientB), () -> clock.millis() / 1000)) {
            for (int i = 0; i < 400; i++) {
                clients.step();
                clock.advance(Duration.ofSeconds(1));
                var s = clients.read().coordinator();
                if (s.progress().epoch() >= 1 && s.runState() == RunState.WaitingForMembers) break;
            }
            assertEquals(1, clients.read().coordinator().progress().epoch(), () -> "errors: " + clients.errors());
        }
        JsonNode dump = json(seed("run-manager json-dump-run --rpc [RPC] --run-id [RUN_ID]", TREASURER_RUN).ok());
        assertRunShape(dump);
        assertEquals(3_000_000, dump.at("/coordinator_account/accounting/sum_earned").asLong());
        assertEquals(3_000_000, dump.at("/treasurer_run/total_claimable_earned_points").asLong());
        assertEquals(1.0, dump.at("/treasurer_run/total_missing_collateral_amount").asDouble());
        assertEquals(3.0, dump.at("/treasurer_run/burn_collateral_amount_per_epoch").asDouble());
        String idA = clientA.publicKey().toBase58();
        String shortA = java.util.HexFormat.of().formatHex(clientA.publicKey().bytes(), 0, 4);
        assertEquals(1_500_000, dump.at("/coordinator_account/clients/" + shortA + "/earned").asLong());

        // underfunded treasury: a top-up that does not cover what is owed says so
        SeedCommands.Outcome small = seed("""
                psyche-solana-client treasurer-top-up-rewards \\
                    --rpc [RPC] \\
                    --run-id [RUN_ID] \\
                    --collateral-amount 500000 \\
                    --wallet-private-key-path [WALLET_PATH]
                """, TREASURER_RUN).ok();
        assertTrue(small.out().contains("treasury underfunded: 3,000,000 native units unclaimed but only 2,500,000 native units funded;"
                + " top up at least 500,000 native units more"), small.out());

        // claiming more than earned is refused before anything is signed
        Map<String, String> asA = new HashMap<>(P);
        asA.put("[THEIR_WALLET]", clientAFile.toString());
        asA.put("[RUN_ID]", TREASURER_RUN);
        SeedCommands.Outcome tooMuch = SeedCommands.run("run-manager treasurer-claim-rewards --rpc [RPC] --run-id [RUN_ID] --points 1500001 "
                + "--wallet-private-key-path [THEIR_WALLET]", asA).failed();
        assertTrue(tooMuch.err().contains("cannot claim 1500001 points from run '" + TREASURER_RUN + "': " + idA
                + " earned 1500000 and already claimed 0, so at most 1500000 can be claimed"), tooMuch.err());

        SeedCommands.Outcome claim = SeedCommands.run("""
                psyche-solana-client treasurer-claim-rewards \\
                    --rpc [RPC] \\
                    --run-id [RUN_ID] \\
                    --wallet-private-key-path [THEIR_WALLET]
                """, asA).ok();
        assertTrue(claim.out().contains("Claimed 1,500,000 native units"), claim.out());

        Map<String, String> user = new HashMap<>(P);
        user.put("[RUN_ID]", TREASURER_RUN);
        user.put("[PUBLIC_KEY]", idA);
        user.put("[CLIENT_PUBKEY]", idA);
        JsonNode u = JSON.readTree(SeedCommands.run("""
                run-manager json-dump-user \\
                    --rpc [RPC] \\
                    --run-id [RUN_ID] \\
                    --address [PUBLIC_KEY]
                """, user).ok().out());
        assertEquals(Set.of("address", "lamports", "coordinator_account", "treasurer_participant"), keys(u));
        assertEquals(Set.of("client", "epoch_alive", "epoch_exited"), keys(u.get("coordinator_account")));
        assertEquals(Set.of("active", "earned", "slashed"), keys(u.at("/coordinator_account/client")));
        assertEquals(1_500_000, u.at("/coordinator_account/client/earned").asLong());
        assertEquals(Set.of("collateral_mint", "collateral_amount", "claimed_earned_points", "claimed_collateral_amount"),
                keys(u.get("treasurer_participant")));
        assertEquals(1.5, u.at("/treasurer_participant/collateral_amount").asDouble());
        assertEquals(1_500_000, u.at("/treasurer_participant/claimed_earned_points").asLong());
        assertEquals(1.5, u.at("/treasurer_participant/claimed_collateral_amount").asDouble());
        // the FAQ's spelling --wallet gives the same
        JsonNode u2 = JSON.readTree(SeedCommands.run("""
                psyche-solana-client json-dump-user \\
                    --rpc [RPC] \\
                    --run-id [RUN_ID] \\
                    --wallet [CLIENT_PUBKEY]
                """, user).ok().out());
        assertEquals(u.get("coordinator_account"), u2.get("coordinator_account"));
        assertTrue(u.get("lamports").asLong() > 0);
    }

    /** The keys of json-dump-run, exactly as spec §6 lists them. */
    static void assertRunShape(JsonNode d) {
        assertEquals(Set.of("coordinator_instance", "coordinator_account", "treasurer_run"), keys(d));
        assertEquals(Set.of("address", "join_authority", "main_authority"), keys(d.get("coordinator_instance")));
        JsonNode a = d.get("coordinator_account");
        assertEquals(Set.of("address", "run_id", "setup", "status", "epoch", "clients", "accounting", "nonce"), keys(a));
        assertEquals(Set.of("client_version", "metadata", "model", "config"), keys(a.get("setup")));
        assertEquals(Set.of("name", "description", "num_parameters", "vocab_size"), keys(a.at("/setup/metadata")));
        assertEquals(Set.of("LLM"), keys(a.at("/setup/model")));
        assertEquals(Set.of("next_active", "state", "epoch", "step"), keys(a.get("status")));
        assertEquals(Set.of("clients", "rates"), keys(a.get("epoch")));
        assertEquals(Set.of("alive", "exited"), keys(a.at("/epoch/clients")));
        assertEquals(Set.of("current", "future"), keys(a.at("/epoch/rates")));
        assertEquals(Set.of("earning", "slashing"), keys(a.at("/epoch/rates/current")));
        assertEquals(Set.of("max_active", "sum_earned", "sum_slashed"), keys(a.get("accounting")));
        for (JsonNode c : a.get("clients")) assertEquals(Set.of("active", "earned", "slashed"), keys(c));
        a.get("clients").fieldNames().forEachRemaining(id -> assertTrue(id.matches("[0-9a-f]{8}"), id));
        JsonNode t = d.get("treasurer_run");
        if (!t.isNull()) {
            assertEquals(Set.of("address", "index", "main_authority", "join_authority", "total_claimed_earned_points",
                    "total_claimable_earned_points", "total_unclaimed_earned_points", "collateral_mint", "funded_collateral_amount",
                    "total_missing_collateral_amount", "total_surplus_collateral_amount", "burn_collateral_amount_per_epoch",
                    "estimated_funded_epochs_count"), keys(t));
        }
    }

    @Test @Order(5) void pauseAndClose() throws Exception {
        SeedCommands.Outcome pause = seed("""
                psyche-solana-client set-paused \\
                    --rpc [RPC] \\
                    --run-id [RUN_ID] \\
                    --pause \\
                    --wallet-private-key-path [WALLET_PATH]
                """, PLAIN_RUN).ok();
        assertTrue(pause.out().contains("Signature: "), pause.out());
        assertEquals("Paused", json(seed("psyche-solana-client json-dump-run --rpc [RPC] --run-id [RUN_ID]", PLAIN_RUN).ok())
                .at("/coordinator_account/status/state").asText());
        long before = rpc.getBalance(owner.publicKey().toBase58());
        seed("run-manager close-run --rpc [RPC] --run-id [RUN_ID] --wallet-private-key-path [JSON_PRIVATE_KEY_PATH]", PLAIN_RUN).ok();
        assertTrue(rpc.getBalance(owner.publicKey().toBase58()) > before + 800_000_000L, "the rent came back");
        SeedCommands.Outcome gone = seed("run-manager json-dump-run --rpc [RPC] --run-id [RUN_ID]", PLAIN_RUN).failed();
        assertTrue(gone.err().contains("no run '" + PLAIN_RUN + "'"), gone.err());
        assertFalse(seed("run-manager list-runs --all --rpc [RPC]", "").ok().out().contains(PLAIN_RUN));
        assertNotNull(chain);
    }
}
