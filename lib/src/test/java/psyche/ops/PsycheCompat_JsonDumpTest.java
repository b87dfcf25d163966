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

    static Path golden() {
        Path p = Path.of("src/test/resources/psyche-json/json-dump-run.golden.json");
        return Files.exists(p) ? p : Path.of("lib").resolve(p);
    }

    @Test void point12_jsonDumpRunMatchesSerdeJsonText() throws Exception {
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
        s = RunProgram.setFutureEpochRates(s, 1000L, 5L);
        RunSnapshot snap = new RunSnapshot("golden-run", key(4), new CoordinatorInstance(254, key(1), key(2), key(3), "golden-run"),
                key(3), new CoordinatorAccount(s, 7), Optional.empty());
        String expected = Files.readString(golden(), StandardCharsets.UTF_8).stripTrailing();
        assertEquals(expected, JsonDumps.render(JsonDumps.run(snap)));
    }
}
