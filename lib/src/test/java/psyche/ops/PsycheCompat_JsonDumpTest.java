package psyche.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import psyche.chain.CoordinatorAccount;
import psyche.chain.CoordinatorInstance;
import psyche.config.Architecture;
import psyche.config.Checkpoint;
import psyche.config.CoordinatorConfig;
import psyche.config.DataLocation;
import psyche.config.DataType;
import psyche.config.HttpLocation;
import psyche.config.HubRepo;
import psyche.config.LlmModel;
import psyche.config.LrSchedule;
import psyche.config.Optimizer;
import psyche.config.RunMetadata;
import psyche.config.Shuffle;
import psyche.config.TokenSize;
import psyche.coordinator.InstanceState;
import psyche.coordinator.NodeIdentity;
import psyche.coordinator.Pubkey;
import psyche.coordinator.RunProgram;

/**
 * Point 12: json-dump-run prints what run-manager prints (tools/rust-tools/run-manager/src/commands/run/
 * json_dump_run.rs:104-250, serde_json::to_string_pretty): keys sorted, ryu floats (0.00004, 1e-8), NaN as null,
 * AdamW's betas as an array, a seeded shuffle as 32 numbers. The golden text is written by
 * src/test/resources/psyche-json/make_golden.py (Python's json + ryu's layout rules, no Java of ours).
 */
class PsycheCompat_JsonDumpTest {
    static Pubkey key(int b) { byte[] a = new byte[32]; Arrays.fill(a, (byte) b); return Pubkey.of(a); }

    static String golden(String name) throws java.io.IOException {
        Path p = Path.of("src/test/resources/psyche-json").resolve(name);
        return Files.readString(Files.exists(p) ? p : Path.of("lib").resolve(p), StandardCharsets.UTF_8).stripTrailing();
    }

    /** The run of the golden files: configured, one registered client, future rates 1000/5, nonce 7. */
    static InstanceState goldenState() {
        byte[] seed = new byte[32];
        for (int i = 0; i < 32; i++) seed[i] = (byte) i;
        LlmModel model = new LlmModel(2048, 0, Architecture.HfLlama, new Checkpoint.Hub(HubRepo.of("emozilla/llama2-1.1b-gqa-init")),
                DataType.Pretraining, new DataLocation.Http(new HttpLocation.NumberedFiles("https://x/{}.bin", 0, 3, 10),
                TokenSize.TwoBytes, new Shuffle.Seeded(seed)),
                new LrSchedule.Cosine(4.0e-4, 0.0, 4.0e-5, 250, 25000),
                new Optimizer.AdamW(0.9f, 0.95f, 0.1f, 1e-8f, Optional.of(Float.NaN)));
        CoordinatorConfig config = new CoordinatorConfig(15, 30, 15, 1, 0, 60, 25000, 1, 1, 0, 2048, 2048, 0, 3);
        InstanceState s = RunProgram.create("golden-run", "v1.2");
        s = RunProgram.update(s, new RunMetadata("Golden \"run\"", "line1\nline2 \u00e9\u0001", 20_000_000, 32_000), config, model, null);
        s = RunProgram.join(s, key(0x0B), new NodeIdentity(key(0x0B), key(0x0C)), 1_800_000_000L, 1);
        return RunProgram.setFutureEpochRates(s, 1000L, 5L);
    }

    static RunSnapshot snapshot(InstanceState s, Optional<RunSnapshot.Treasury> treasury) {
        return new RunSnapshot("golden-run", key(4), new CoordinatorInstance(254, key(1), key(2), key(3), "golden-run"),
                key(3), new CoordinatorAccount(s, 7), treasury);
    }

    @Test void point12_jsonDumpRunMatchesSerdeJsonText() throws Exception {
        assertEquals(golden("json-dump-run.golden.json"), JsonDumps.render(JsonDumps.run(snapshot(goldenState(), Optional.empty()))));
    }

    /** The treasurer block (json_dump_run.rs:156-231): UI amounts as f64 division, the funded-epochs estimate. */
    @Test void point12_treasurerRunDumpMatchesSerdeJsonText() throws Exception {
        InstanceState s = goldenState();
        var cs = s.clientsState();
        s = RunProgram.withClients(s, new psyche.coordinator.ClientsState(cs.clients(), cs.nextActive(),
                new psyche.coordinator.Rates(1000, 0), cs.futureEpochRates()));
        RunSnapshot.Treasury t = new RunSnapshot.Treasury(key(5), new psyche.chain.TreasurerRun(250, 77, key(1), key(2), key(3), key(4),
                key(6), 0, 0), new psyche.chain.TokenMint(Optional.of(key(1)), 10_000_000, 6, true, Optional.empty()), key(7), 1_234_567);
        assertEquals(golden("json-dump-run-treasurer.golden.json"), JsonDumps.render(JsonDumps.run(snapshot(s, Optional.of(t)))));
    }

    /** json-dump-user (json_dump_user.rs:140-152) of the registered client, no treasurer. */
    @Test void point12_jsonDumpUserMatchesSerdeJsonText() throws Exception {
        assertEquals(golden("json-dump-user.golden.json"),
                JsonDumps.render(JsonDumps.user(null, snapshot(goldenState(), Optional.empty()), key(0x0B), 12345)));
    }
}
