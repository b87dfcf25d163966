package psyche.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import psyche.chain.CoordinatorAccount;
import psyche.chain.Participant;
import psyche.coordinator.InstanceState;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class DecodeAccountCommand_RunTest {
    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = RunManager.execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void coordinatorAccountAutoDetected(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("acc.bin");
        Files.write(f, new CoordinatorAccount(InstanceState.created("cli-run", "v9"), 5).encode());
        Result r = run("decode-account", "--file", f.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("coordinator", j.get("kind").asText());
        JsonNode state = j.get("account").get("state");
        assertEquals("cli-run", state.get("coordinator").get("run_id").asText());
        assertEquals("Uninitialized", state.get("coordinator").get("run_state").asText());
        assertEquals("Ephemeral", state.get("coordinator").get("model").get("checkpoint").asText());
        assertEquals(4, state.get("coordinator").get("epoch_state").get("rounds").size());
        assertTrue(state.get("clients_state").get("future_epoch_rates").has("earning_rate_total_shared"));
        assertEquals("v9", state.get("client_version").asText());
        assertEquals(5, j.get("account").get("nonce").asLong());
    }

    @Test
    void explicitKindAndTypedErrors(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("p.bin");
        Files.write(f, new Participant(3, 10, 20).encode());
        Result ok = run("decode-account", "--file", f.toString(), "--kind", "participant");
        assertEquals(0, ok.code(), ok.err());
        assertEquals(20, new ObjectMapper().readTree(ok.out()).get("account").get("claimed_earned_points").asLong());
        Result wrong = run("decode-account", "--file", f.toString(), "--kind", "coordinator");
        assertEquals(1, wrong.code());
        assertTrue(wrong.err().contains("expected exactly 119160"), wrong.err());
        Files.write(f, new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9});
        Result unknown = run("decode-account", "--file", f.toString());
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("discriminator 0102030405060708"), unknown.err());
    }
}
