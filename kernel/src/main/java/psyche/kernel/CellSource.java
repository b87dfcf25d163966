package psyche.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * A cell's text split into Java segments and magic lines, keeping offsets so positions inside a segment map back to
 * the line and column of the cell. A magic is a line starting with {@code %} in column 0; {@code %%name} on the
 * first line makes the whole rest of the cell the body of a cell magic.
 */
record CellSource(String text, List<Part> parts) {
    sealed interface Part permits Code, LineMagic, CellMagic {}

    /** Java source starting at {@code offset} in the cell. */
    record Code(String source, int offset) implements Part {}

    record LineMagic(String name, List<String> args, String rest, int offset) implements Part {}

    record CellMagic(String name, List<String> args, String body, int bodyOffset) implements Part {}

    static CellSource parse(String text) {
        List<Part> parts = new ArrayList<>();
        if (text.startsWith("%%")) {
            int eol = text.indexOf('\n');
            String header = eol < 0 ? text.substring(2) : text.substring(2, eol);
            List<String> words = words(header);
            String body = eol < 0 ? "" : text.substring(eol + 1);
            parts.add(new CellMagic(words.isEmpty() ? "" : words.get(0), words.subList(Math.min(1, words.size()), words.size()),
                    body, eol < 0 ? text.length() : eol + 1));
            return new CellSource(text, List.copyOf(parts));
        }
        int codeStart = 0;
        int pos = 0;
        while (pos <= text.length()) {
            int eol = text.indexOf('\n', pos);
            int end = eol < 0 ? text.length() : eol;
            if (pos < text.length() && text.charAt(pos) == '%') {
                if (pos > codeStart) parts.add(new Code(text.substring(codeStart, pos), codeStart));
                String line = text.substring(pos + 1, end);
                List<String> words = words(line);
                String name = words.isEmpty() ? "" : words.get(0);
                String rest = line.strip().substring(name.length()).strip();
                parts.add(new LineMagic(name, words.subList(Math.min(1, words.size()), words.size()), rest, pos));
                codeStart = eol < 0 ? text.length() : eol + 1;
            }
            if (eol < 0) break;
            pos = eol + 1;
        }
        if (codeStart < text.length()) parts.add(new Code(text.substring(codeStart), codeStart));
        return new CellSource(text, List.copyOf(parts));
    }

    /** The cell with magic lines blanked out (same length), for analyses that need plain Java. */
    static String withoutMagics(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean lineStart = true;
        boolean inMagic = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (lineStart) inMagic = c == '%';
            lineStart = c == '\n';
            out.append(inMagic && c != '\n' ? ' ' : c);
        }
        return out.toString();
    }

    /** 1-based line of an offset in the cell. */
    int lineOf(int offset) {
        int line = 1;
        for (int i = 0; i < Math.min(offset, text.length()); i++) if (text.charAt(i) == '\n') line++;
        return line;
    }

    /** 1-based column of an offset in the cell. */
    int columnOf(int offset) {
        int start = text.lastIndexOf('\n', Math.min(offset, text.length()) - 1) + 1;
        return offset - start + 1;
    }

    /** The cell line containing an offset. */
    String lineText(int offset) {
        int start = text.lastIndexOf('\n', Math.min(offset, text.length()) - 1) + 1;
        int end = text.indexOf('\n', start);
        return text.substring(start, end < 0 ? text.length() : end);
    }

    private static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        for (String w : s.strip().split("\\s+")) if (!w.isEmpty()) out.add(w);
        return out;
    }
}
