package psyche.chain;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static psyche.chain.CoordinatorAccountCodec.*;

/**
 * The codec's offsets against what rustc computes for the same struct shapes: {@code layout-probe/main.rs}
 * re-declares the account's types (repr(C) where Psyche has it, Rust layout for HubRepo/GcsRepo/Option) and prints
 * offsets measured on live values; its output (rustc 1.95.0) is committed beside it. This is the second source for
 * the union payload offsets that spec §7 does not list.
 */
class CoordinatorAccount_LayoutProbeTest {

    static Map<String, Integer> probe() throws IOException {
        Map<String, Integer> out = new HashMap<>();
        try (InputStream in = CoordinatorAccount_LayoutProbeTest.class.getResourceAsStream("layout-probe/rustc-1.95.0-output.txt")) {
            assertNotNull(in, "probe output resource missing");
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String[] t = line.trim().split("\\s+");
                // "key value [key value ...]": later keys are relative to the first key's path, unless they are
                // themselves rooted (size./rel./abs.)
                String prefix = t[0].substring(0, t[0].lastIndexOf('.') + 1);
                for (int i = 0; i + 1 < t.length; i += 2) {
                    boolean rooted = i == 0 || t[i].matches("(size|rel|abs)\\..*");
                    String key = rooted ? t[i] : prefix + t[i];
                    try {
                        out.put(key, Integer.parseInt(t[i + 1]));
                    } catch (NumberFormatException ignored) {
                        // byte dumps and other non-numeric tails
                    }
                }
            }
        }
        return out;
    }

    @Test
    void topLevelOffsetsMatchRustc() throws IOException {
        Map<String, Integer> p = probe();
        assertEquals(SIZE, p.get("size.account_with_disc"));
        assertEquals(COORD, p.get("abs.coordinator"));
        assertEquals(MODEL, p.get("abs.model"));
        assertEquals(CONFIG, p.get("abs.config"));
        assertEquals(PROGRESS, p.get("abs.progress"));
        assertEquals(PROGRESS + 4, p.get("abs.progress.step"));
        assertEquals(EPOCH, p.get("abs.epoch_state"));
        assertEquals(RUN_STATE_START, p.get("abs.run_state_start"));
        assertEquals(PENDING_PAUSE, p.get("abs.pending_pause"));
        assertEquals(CLIENTS_STATE, p.get("abs.clients_state"));
        assertEquals(CLIENT_VERSION, p.get("abs.client_version"));
        assertEquals(NONCE, p.get("abs.nonce"));
        assertEquals(SOLANA_CLIENT_SIZE, p.get("size.SolanaClient"));
        assertEquals(NEXT_ACTIVE - CLIENTS_STATE, p.get("rel.clients_state.next_active"));
    }

    @Test
    void epochOffsetsMatchRustc() throws IOException {
        Map<String, Integer> p = probe();
        assertEquals(ROUND_SIZE, p.get("size.Round"));
        assertEquals(WITNESS_SIZE, p.get("size.Witness"));
        assertEquals(CLIENT_SIZE, p.get("size.Client"));
        assertEquals(ROUND_DATA_INDEX, p.get("rel.round.data_index"));
        assertEquals(ROUND_HEIGHT, p.get("rel.round.height"));
        assertEquals(ROUND_CLIENTS_LEN, p.get("rel.round.clients_len"));
        assertEquals(ROUND_TIE, p.get("rel.round.tie"));
        assertEquals(EPOCH_CLIENTS, p.get("rel.epoch.clients"));
        assertEquals(EPOCH_EXITED, p.get("rel.epoch.exited"));
        assertEquals(ROUNDS_HEAD, p.get("rel.epoch.rounds_head"));
        assertEquals(START_TIMESTAMP, p.get("rel.epoch.start_timestamp"));
        assertEquals(FIRST_ROUND, p.get("rel.epoch.first_round"));
        assertEquals(COLD_START_EPOCH, p.get("rel.epoch.cold"));
        assertEquals(64, p.get("rel.client.state"));
        assertEquals(68, p.get("rel.client.exited_height"));
        assertEquals(24, p.get("rel.witness.participant"));
        assertEquals(24 + BLOOM_SIZE, p.get("rel.witness.broadcast"));
        assertEquals(24 + 2 * BLOOM_SIZE, p.get("rel.witness.merkle"));
    }

    @Test
    void modelUnionOffsetsMatchRustc() throws IOException {
        Map<String, Integer> p = probe();
        assertEquals(LLM - MODEL, p.get("rel.model.llm"));
        assertEquals(LLM_CHECKPOINT - LLM, p.get("rel.llm.checkpoint"));
        assertEquals(LLM_DATA_TYPE - LLM, p.get("rel.llm.data_type"));
        assertEquals(LLM_DATA_LOCATION - LLM, p.get("rel.llm.data_location"));
        assertEquals(LLM_LR - LLM, p.get("rel.llm.lr"));
        assertEquals(LLM_OPTIMIZER - LLM, p.get("rel.llm.optimizer"));
        assertEquals(CHECKPOINT_PAYLOAD - LLM_CHECKPOINT, p.get("rel.checkpoint.payload"));
        // Rust layout: Option first (tag byte + value at +1), then the 64-byte string at +65; same for GcsRepo
        assertEquals(0, p.get("rel.checkpoint.hub.revision"));
        assertEquals(65, p.get("rel.checkpoint.hub.repo_id"));
        assertEquals(1, p.get("rel.revision.value"));
        assertEquals(0, p.get("rel.gcs.gcs.prefix"));
        assertEquals(65, p.get("rel.gcs.bucket"));
        assertEquals(DATA_PAYLOAD - LLM_DATA_LOCATION, p.get("rel.data_location.payload"));
        assertEquals(HTTP_TOKEN_SIZE - DATA_PAYLOAD, p.get("rel.data_location.http.token_size"));
        assertEquals(HTTP_SHUFFLE - DATA_PAYLOAD, p.get("rel.data_location.http.shuffle"));
        // NumberedFiles (offsets from the HttpLoc enum start; payload at +4): template 0, start 64, pad 68, num 72
        assertEquals(4 + 64, p.get("rel.numbered.start"));
        assertEquals(4 + 68, p.get("rel.numbered.pad"));
        assertEquals(4 + 72, p.get("rel.numbered.num"));
        assertEquals(4 + 64, p.get("rel.gcp.filter"));
        assertEquals(4, p.get("rel.shuffle.seed"));
        assertEquals(LR_PAYLOAD - LLM_LR, p.get("rel.lr.payload"));
        assertEquals(32, p.get("rel.lr.wsd.warmup_steps"));
        assertEquals(44, p.get("rel.lr.wsd.linear_decay_steps"));
        assertEquals(16, p.get("rel.constant.warmup_steps"));
        // optimizer variants from the enum start (payload at +4)
        assertEquals(OPTIMIZER_PAYLOAD - LLM_OPTIMIZER, p.get("rel.distro.clip"));
        assertEquals(4 + 8, p.get("rel.distro.wd"));
        assertEquals(4 + 16, p.get("rel.distro.decay"));
        assertEquals(4 + 20, p.get("rel.distro.topk"));
        assertEquals(4 + 22, p.get("rel.distro.chunk"));
        assertEquals(4 + 24, p.get("rel.distro.q1"));
        assertEquals(4 + 16, p.get("rel.adamw.clip"));
        assertEquals(4, p.get("rel.option_f32.value"));
    }
}
