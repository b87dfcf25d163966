package psyche.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the TOML config reader (bounded: 3,000 cases): mutated real configs, deep nesting of arrays and
 * inline tables, random bytes. The lenient reader never throws and never overflows its stack; malformed input comes
 * back as violations.
 */
class TomlConfigReader_FuzzTest {
    private static final String[] FRAGMENTS = {"[", "]", "{", "}", "=", "\"", "'", "\"\"\"", "#", "\n", ",", ".", "a = [", "x = {",
            "[[model.LLM]]", "[config]", "1e999", "-0", "0x", "\\u0000", "inf", "nan", "true", "[a.b.c.d]"};

    static String tiny() throws Exception {
        Path p = Path.of("../notebooks/configs/tiny.toml");
        return Files.readString(Files.exists(p) ? p : Path.of("notebooks/configs/tiny.toml"));
    }

    @Test void mutatedConfigsNeverThrowOrOverflow() throws Exception {
        String base = tiny();
        Random random = new Random(20261207L);
        for (int i = 0; i < 3_000; i++) {
            StringBuilder s = new StringBuilder(base);
            int edits = 1 + random.nextInt(6);
            for (int e = 0; e < edits; e++) {
                int at = random.nextInt(s.length() + 1);
                switch (random.nextInt(4)) {
                    case 0 -> s.insert(at, FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
                    case 1 -> { if (at < s.length()) s.deleteCharAt(at); }
                    case 2 -> { if (at < s.length()) s.setCharAt(at, (char) random.nextInt(128)); }
                    default -> {
                        int depth = random.nextInt(2_000);
                        String open = random.nextBoolean() ? "[" : "{a = ";
                        String close = open.equals("[") ? "]" : "}";
                        s.insert(at, "\nk" + i + " = " + open.repeat(depth) + close.repeat(random.nextInt(depth + 1)) + "\n");
                    }
                }
            }
            String toml = s.toString();
            LoadedConfig loaded;
            try {
                loaded = RunConfigs.loadString(toml);
            } catch (StackOverflowError | RuntimeException e) {
                throw new AssertionError("case " + i + " threw " + e + " for:\n" + toml.substring(0, Math.min(400, toml.length())), e);
            }
            assertNotNull(loaded);
        }
    }

    @Test void nestingIsCountedOutsideStringsAndCommentsOnly() {
        String deepInString = "a = \"" + "[".repeat(100) + "\"\n# " + "{".repeat(100) + "\nb = '" + "[".repeat(100) + "'\n";
        assertTrue(TomlConfigReader.nestingPastLimit(deepInString) == null);
        assertTrue(TomlConfigReader.nestingPastLimit("[config]\n[model.LLM]\nx = " + "[".repeat(32) + "]".repeat(32)) == null);
        int[] at = TomlConfigReader.nestingPastLimit("[config]\nx = " + "[".repeat(33) + "]".repeat(33));
        assertNotNull(at);
        assertTrue(at[0] == 2 && at[1] == 5 + 32, at[0] + ":" + at[1]);
        assertFalse(RunConfigs.loadString("x = " + "{a = ".repeat(40) + "1" + "}".repeat(40)).violations().isEmpty());
    }
}
