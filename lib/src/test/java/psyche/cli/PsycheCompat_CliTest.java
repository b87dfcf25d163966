package psyche.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import psyche.chain.Keypair;
import psyche.chain.ProgramIds;
import psyche.chain.local.LocalChain;
import psyche.chain.rpc.RpcClient;
import psyche.coordinator.Pubkey;
import psyche.ops.Cluster;
import psyche.ops.CreateRun;
import psyche.ops.JoinAuthorizations;
import psyche.ops.RunSnapshot;
import psyche.ops.SetPaused;
import psyche.ops.TestTokens;
import psyche.ops.UpdateConfig;

/**
 * run-manager's command-line contract (tools/rust-tools/run-manager/src/**), points 7-12 of issue 16, end to end
 * against the local chain: in-process where the environment does not matter, as a child JVM where it does.
 */
class PsycheCompat_CliTest {
    @TempDir static Path dir;
    static LocalChain chain;
    static RpcClient rpc;
    static Cluster cluster;
    static Keypair owner;
    static Path ownerFile;
    static final String RUN = "compat-cli", HALTED = "compat-halted";

    @BeforeAll static void start() {
        chain = LocalChain.builder().optInMemory().optRpcPort(0).start();
        rpc = RpcClient.builder().optEndpoint(chain.rpcUrl()).optPollInterval(Duration.ofMillis(5)).build();
        cluster = new Cluster(rpc, ProgramIds.MAINNET, false);
        owner = Keypair.generate();
        ownerFile = dir.resolve("owner.json");
        owner.save(ownerFile);
        TestTokens.airdrop(cluster, owner.publicKey(), 20_000_000_000L);
        CreateRun.execute(cluster, owner, CreateRun.Params.of(RUN, "test"));
        UpdateConfig.execute(cluster, owner, UpdateConfig.Params.of(RUN).withConfigPath(tiny()));
        SetPaused.execute(cluster, owner, RUN, OptionalLong.empty(), false);
        CreateRun.execute(cluster, owner, CreateRun.Params.of(HALTED, "test"));
    }

    @AfterAll static void stop() {
        rpc.close();
        chain.close();
    }

    static Path tiny() {
        Path p = Path.of("../notebooks/configs/tiny.toml");
        return Files.exists(p) ? p.toAbsolutePath() : Path.of("notebooks/configs/tiny.toml").toAbsolutePath();
    }

    static void assertOneLineError(CliRun r) {
        assertTrue(r.code() != 0, r::toString);
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
        assertTrue(r.err().strip().lines().findFirst().orElse("").length() > 10, r.err());
    }

    /** A child JVM running the CLI with {@code env} added (and COUNT/MS_INTERVAL/NAME from the test's own env removed). */
    static Process child(Map<String, String> env, String... args) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", classpath, "psyche.cli.RunManager"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        for (String k : List.of("COUNT", "MS_INTERVAL", "NAME", "DESCRIPTION", "NUM_PARAMETERS", "VOCAB_SIZE", "RUN_ID")) pb.environment().remove(k);
        pb.environment().putAll(env);
        return pb.start();
    }

    static String finish(Process p) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child did not end");
        return out;
    }

    /**
     * Point 7: without --count, tick runs until interrupted, --ms-interval apart (run/tick.rs:17-19, 41: count
     * defaults to u64::MAX); COUNT and MS_INTERVAL are read from the environment.
     */
    @Test void point7_tickWithoutCountRunsUntilInterrupted() throws Exception {
        Process p = child(Map.of(), "tick", "--rpc", chain.rpcUrl(), "--run-id", RUN, "-w", ownerFile.toString(), "--ms-interval", "50");
        int ticks = 0;
        StringBuilder seen = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            String line;
            while (ticks < 3 && System.nanoTime() < deadline && (line = r.readLine()) != null) {
                seen.append(line).append('\n');
                if (line.startsWith("Ticked run " + RUN + " with transaction ")) ticks++;
            }
            assertEquals(3, ticks, seen::toString);
            assertTrue(p.isAlive(), "still ticking after 3 ticks:\n" + seen);
        } finally {
            p.destroy(); // SIGTERM, as Ctrl-C would end it
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }

        Process counted = child(Map.of("COUNT", "2", "MS_INTERVAL", "10"), "tick", "--rpc", chain.rpcUrl(), "--run-id", RUN,
                "-w", ownerFile.toString());
        String out = finish(counted);
        assertEquals(0, counted.exitValue(), out);
        assertEquals(2, out.split("Ticked run " + RUN + " with transaction ", -1).length - 1, out);

        CliRun none = CliRun.of("tick", "--rpc", chain.rpcUrl(), "--run-id", RUN, "-w", ownerFile.toString(), "--count", "0");
        assertEquals(0, none.code(), none::toString); // run-manager loops zero times and exits 0
        assertTrue(none.out().contains("nothing to do"), none.out());
    }

    /** Point 8: --join-authority is required, --authorizer defaults to 111…1 (authorization/read.rs:13-17, 28-51). */
    @Test void point8_joinAuthorizationReadDefaultsToThePublicGrant() {
        JoinAuthorizations.create(cluster, owner, JoinAuthorizations.EVERYONE);
        CliRun r = CliRun.of("join-authorization-read", "--rpc", chain.rpcUrl(), "--join-authority", owner.publicKey().toBase58());
        assertEquals(0, r.code(), r::toString);
        Pubkey address = cluster.pdas().joinAuthorization(owner.publicKey(), Pubkey.SYSTEM).address();
        assertEquals(String.join("\n", "Authorization Grantor: " + owner.publicKey(),
                "Authorization Grantee: 11111111111111111111111111111111", "Authorization Address: " + address,
                "Authorization Active: true", "Authorization Delegate Count: 0") + "\n", r.out().replace("\r", ""));
        CliRun missing = CliRun.of("join-authorization-read", "--rpc", chain.rpcUrl(), "--authorizer", owner.publicKey().toBase58());
        assertOneLineError(missing);
        assertTrue(missing.err().contains("--join-authority"), missing.err());
    }

    /**
     * Point 9: list-runs prints the runs the wallet can join as run-manager does (main.rs:445-490,
     * docker/manager.rs:429-490 find_joinable_runs, docker/coordinator_client.rs:30-130 RunInfo::format_table):
     * halted runs left out, "Found N joinable run(s):", the table's columns and widths; --all keeps our listing.
     */
    @Test void point9_listRunsShowsJoinableRunsAsRunManagerDoes() {
        JoinAuthorizations.create(cluster, owner, JoinAuthorizations.EVERYONE);
        CliRun r = CliRun.of("list-runs", "--rpc", chain.rpcUrl(), "-w", ownerFile.toString());
        assertEquals(0, r.code(), r::toString);
        String row = "  %-10s   %-19s   %-11s   %-10s   %s";
        assertEquals(String.join("\n", "Found 1 joinable run(s):",
                String.format(row, "run-id", "state", "clients", "epoch time", "time left"),
                String.format(row, RUN, "Waiting for members", "0/1 waiting", "1m", "-")) + "\n", r.out().replace("\r", ""));
        CliRun other = CliRun.of("list-runs", "--rpc", chain.rpcUrl(), "-w", ownerFile.toString(), "--authorizer", Keypair.generate().publicKey().toBase58());
        assertEquals("No available runs to join\n", other.out().replace("\r", ""));
        CliRun all = CliRun.of("list-runs", "--all", "--rpc", chain.rpcUrl());
        assertTrue(all.out().contains(HALTED) && all.out().contains(RUN), all.out());
    }

    /** Point 10: --name/--description/--num-parameters/--vocab-size read no env (run/update_config.rs:30-39). */
    @Test void point10_strayNameInTheEnvironmentDoesNotRenameTheRun() throws Exception {
        Process p = child(Map.of("NAME", "stray", "NUM_PARAMETERS", "99", "VOCAB_SIZE", "98"), "update-config", "--rpc", chain.rpcUrl(),
                "--run-id", RUN, "-w", ownerFile.toString(), "--description", "described");
        String out = finish(p);
        assertEquals(0, p.exitValue(), out);
        var meta = RunSnapshot.fetch(cluster, RUN, OptionalLong.empty()).state().metadata();
        assertEquals("", meta.name(), out);
        assertEquals("described", meta.description());
        assertEquals(0, meta.numParameters());
        assertEquals(0, meta.vocabSize());
    }

    /** Point 11: create-run's treasurer options (run/create_run.rs:22-29, 62-67), can-join's aliases (can_join.rs:18-19). */
    @Test void point11_createRunAndCanJoinOptions() {
        for (String index : List.of("5", "18446744073709551615")) {
            CliRun r = CliRun.of("create-run", "--rpc", chain.rpcUrl(), "-w", ownerFile.toString(), "--run-id", "no-mint-" + index.length(),
                    "--client-version", "test", "--treasurer-index", index);
            assertOneLineError(r);
            assertTrue(r.err().contains("--treasurer-index is set but --treasurer-collateral-mint is not"), r.err());
            assertTrue(cluster.account(cluster.pdas().coordinatorInstance("no-mint-" + index.length()).address()).isEmpty(), "nothing signed");
        }
        CliRun negative = CliRun.of("create-run", "--rpc", chain.rpcUrl(), "-w", ownerFile.toString(), "--run-id", "neg", "--client-version", "test",
                "--treasurer-index", "-1");
        assertOneLineError(negative);
        assertTrue(negative.err().contains("is not a u64"), negative.err());
        JoinAuthorizations.create(cluster, owner, JoinAuthorizations.EVERYONE); // no-op when already active
        for (String alias : List.of("--address", "--wallet", "--user")) {
            CliRun r = CliRun.of("can-join", "--rpc", chain.rpcUrl(), "--run-id", RUN, alias, owner.publicKey().toBase58());
            assertEquals(0, r.code(), r::toString);
        }
    }

    /**
     * Point 11: env RESUME (run/set_paused.rs:16-17), and no-op invocations exit as run-manager's do:
     * join-authorization-delete of an inactive grant prints and exits 0 (authorization/delete.rs:38-52),
     * join-authorization-delegate with nothing to change exits 0 (delegate.rs sends an empty update), update-config
     * with nothing to change bails with 1 (update_config.rs:150-152).
     */
    @Test void point11_envResumeAndNoOpExitCodes() throws Exception {
        String id = "compat-resume";
        CreateRun.execute(cluster, owner, CreateRun.Params.of(id, "test"));
        UpdateConfig.execute(cluster, owner, UpdateConfig.Params.of(id).withConfigPath(tiny()));
        Process p = child(Map.of("RESUME", "true"), "set-paused", "--rpc", chain.rpcUrl(), "--run-id", id, "-w", ownerFile.toString());
        String out = finish(p);
        assertEquals(0, p.exitValue(), out);
        assertEquals(psyche.coordinator.RunState.WaitingForMembers,
                RunSnapshot.fetch(cluster, id, OptionalLong.empty()).state().coordinator().runState(), out);

        Pubkey grantee = Keypair.generate().publicKey();
        JoinAuthorizations.create(cluster, owner, grantee);
        JoinAuthorizations.delete(cluster, owner, grantee);
        CliRun again = CliRun.of("join-authorization-delete", "--rpc", chain.rpcUrl(), "-w", ownerFile.toString(), "--authorizer", grantee.toBase58());
        assertEquals(0, again.code(), again::toString);
        assertTrue(again.out().contains("nothing to do"), again.out());
        CliRun delegate = CliRun.of("join-authorization-delegate", "--rpc", chain.rpcUrl(), "-w", ownerFile.toString(), "--join-authority", owner.publicKey().toBase58());
        assertEquals(0, delegate.code(), delegate::toString);
        assertTrue(delegate.out().contains("nothing to do"), delegate.out());
        CliRun same = CliRun.of("update-config", "--rpc", chain.rpcUrl(), "--run-id", id, "-w", ownerFile.toString(), "--config-path", tiny().toString());
        assertEquals(1, same.code(), same::toString);
        assertTrue(same.err().contains("nothing to update"), same.err());
    }

    /**
     * Point 12 end to end: json-dump-run's text is exactly serde_json's to_string_pretty of the same value. The
     * reference rendering is Python's json module (sort_keys, indent=2), a stock tool: for this run's numbers
     * (0.001, 0.0001, 0.999, ...) Python's float repr and ryu agree.
     */
    @Test void point12_jsonDumpRunTextIsSerdeJsonsText() throws Exception {
        CliRun r = CliRun.of("json-dump-run", "--rpc", chain.rpcUrl(), "--run-id", RUN);
        assertEquals(0, r.code(), r::toString);
        Path dumped = dir.resolve("dump.json");
        Files.writeString(dumped, r.out(), StandardCharsets.UTF_8);
        Process py = new ProcessBuilder("python3", "-c", "import json,sys; d=json.load(open(sys.argv[1], encoding='utf-8'));"
                + " sys.stdout.write(json.dumps(d, sort_keys=True, indent=2, ensure_ascii=False) + '\\n')", dumped.toString())
                .redirectErrorStream(true).start();
        String reference = new String(py.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(py.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, py.exitValue(), reference);
        assertEquals(reference, r.out().replace("\r", ""));
        assertTrue(r.out().contains("\"compression_decay\": 0.999,"), r.out());
        assertTrue(r.out().contains("\"treasurer_run\": null"), r.out());
    }

    /** Stricter before signing, with --force to send what Psyche's program accepts. */
    @Test void forceSendsWhatOnlyOurLintRefuses() throws Exception {
        // verification_percent = 10 (our lint refuses it) and a key serde ignores (our reader refuses it)
        String toml = Files.readString(tiny()).replace("verification_percent = 0", "verification_percent = 10\nverifier_ratio = 3");
        Path cfg = dir.resolve("verify.toml");
        Files.writeString(cfg, toml);
        CliRun refused = CliRun.of("update-config", "--rpc", chain.rpcUrl(), "--run-id", HALTED, "-w", ownerFile.toString(), "--config-path", cfg.toString());
        assertOneLineError(refused);
        assertTrue(refused.err().contains("nothing was signed") && refused.err().contains("--force"), refused.err());
        CliRun forced = CliRun.of("update-config", "--rpc", chain.rpcUrl(), "--run-id", HALTED, "-w", ownerFile.toString(), "--config-path", cfg.toString(), "--force");
        assertEquals(0, forced.code(), forced::toString);
        assertTrue(forced.out().contains("--force: sending despite") && forced.out().contains("verifier_ratio")
                && forced.out().contains("verification_percent"), forced.out());
        assertEquals(10, RunSnapshot.fetch(cluster, HALTED, OptionalLong.empty()).state().coordinator().config().verificationPercent());
        // what Psyche's program itself rejects is never sent
        Path dummy = dir.resolve("dummy.toml");
        Files.writeString(dummy, toml.replace("[model.LLM.optimizer.Distro]", "[model.LLM.optimizer.Unused]").replaceAll(
                "(?s)\\[model.LLM.optimizer.Unused].*", "") .replace("[model.LLM]", "[model.LLM]\noptimizer = \"Dummy\""));
        CliRun psycheRejects = CliRun.of("update-config", "--rpc", chain.rpcUrl(), "--run-id", HALTED, "-w", ownerFile.toString(), "--config-path", dummy.toString(), "--force");
        assertOneLineError(psycheRejects);
        assertTrue(psycheRejects.err().contains("rejected by Psyche's program too"), psycheRejects.err());
    }
}
