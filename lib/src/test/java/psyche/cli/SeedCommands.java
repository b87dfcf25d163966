package psyche.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a command exactly as a seed writes it (line continuations, {@code [PLACEHOLDER]}s filled in from a map,
 * double-quoted words) through {@link RunManager#execute}, under the program name the seed uses.
 */
final class SeedCommands {
    private SeedCommands() {}

    record Outcome(String command, int code, String out, String err) {
        Outcome ok() {
            if (code != 0) throw new AssertionError("command failed (exit " + code + "): " + command + "\nstdout:\n" + out + "\nstderr:\n" + err);
            return this;
        }
        Outcome failed() {
            if (code == 0) throw new AssertionError("command should have failed: " + command + "\nstdout:\n" + out);
            return this;
        }
    }

    static Outcome run(String seedText, Map<String, String> placeholders) {
        String text = seedText.replace("\\\n", " ");
        for (Map.Entry<String, String> e : placeholders.entrySet()) text = text.replace(e.getKey(), e.getValue());
        List<String> words = split(text.strip());
        String name = words.remove(0);
        if (!name.equals("run-manager") && !name.equals("psyche-solana-client")) throw new IllegalArgumentException("not a CLI command: " + text);
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = RunManager.execute(name, new PrintWriter(out, true), new PrintWriter(err, true), words.toArray(String[]::new));
        return new Outcome(text, code, out.toString(), err.toString());
    }

    /** Shell-like word splitting: whitespace separates, double quotes group; {@code #} starts a comment to end of line. */
    static List<String> split(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false, inWord = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '"') { quoted = !quoted; inWord = true; continue; }
            if (!quoted && ch == '#' && !inWord) {
                while (i < text.length() && text.charAt(i) != '\n') i++;
                continue;
            }
            if (!quoted && Character.isWhitespace(ch)) {
                if (inWord) { words.add(cur.toString()); cur.setLength(0); inWord = false; }
                continue;
            }
            cur.append(ch);
            inWord = true;
        }
        if (inWord) words.add(cur.toString());
        return words;
    }
}
