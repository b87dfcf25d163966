package psyche.chain;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** An instruction made readable: program name, instruction name and its arguments in declaration order. */
public record DecodedInstruction(String program, String name, Map<String, Object> args) {
    public DecodedInstruction {
        args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
    }

    @Override public String toString() { return program + "." + name + args; }
}
