package psyche.chain.rpc;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import psyche.chain.ProgramErrors;

/**
 * A transaction the chain refused or executed with an error: preflight failure, or a landed transaction whose
 * status carries {@code err}. Never retried by the client. Names the failing instruction, program and error.
 */
public class TransactionFailedException extends RpcException {
    private static final long serialVersionUID = 1L;
    private final transient JsonNode err;
    private final String signature;
    private final Integer instructionIndex;
    private final Long customCode;
    private final String errorName;
    private final String programId;
    private final List<String> logs;

    public TransactionFailedException(String message, int code, String signature, JsonNode err, List<String> logs) {
        super(describe(message, err, logs), code, false);
        this.err = err;
        this.signature = signature;
        this.logs = List.copyOf(logs);
        JsonNode ie = err == null ? null : err.get("InstructionError");
        if (ie != null && ie.isArray() && ie.size() == 2) {
            instructionIndex = ie.get(0).asInt();
            JsonNode kind = ie.get(1);
            if (kind.has("Custom")) {
                customCode = kind.get("Custom").asLong();
                errorName = null;
            } else {
                customCode = null;
                errorName = kind.isTextual() ? kind.asText() : kind.toString();
            }
        } else {
            instructionIndex = null;
            customCode = null;
            errorName = err == null ? null : err.isTextual() ? err.asText() : err.fieldNames().hasNext() ? err.fieldNames().next() : err.toString();
        }
        this.programId = failedProgram(this.logs);
    }

    private static String describe(String message, JsonNode err, List<String> logs) {
        StringBuilder out = new StringBuilder(message);
        if (err != null) out.append(" (err ").append(err).append(')');
        String program = failedProgram(logs);
        JsonNode ie = err == null ? null : err.get("InstructionError");
        if (program != null && ie != null && ie.size() == 2 && ie.get(1).has("Custom")) {
            String name = ProgramErrors.name(program, ie.get(1).get("Custom").asLong(), logs);
            if (name != null) out.append(": ").append(name).append(" in program ").append(program);
        }
        return out.toString();
    }

    /** The program of the last "Program X failed" log line (the innermost failure). */
    static String failedProgram(List<String> logs) {
        for (String line : logs) {
            if (line.startsWith("Program ") && line.contains(" failed: ")) {
                return line.substring("Program ".length(), line.indexOf(' ', "Program ".length()));
            }
        }
        return null;
    }

    /** Solana's {@code err} value as JSON (e.g. {@code {"InstructionError":[0,{"Custom":6000}]}}). */
    public JsonNode err() { return err; }
    /** The transaction's signature when known (landed transactions), else null. */
    public String signature() { return signature; }
    public Integer instructionIndex() { return instructionIndex; }
    /** The program's own error code ({@code Custom}), or null for runtime errors. */
    public Long customCode() { return customCode; }
    /**
     * The error's name: a runtime variant ({@code MissingRequiredSignature}, {@code BlockhashNotFound}) or, for a
     * custom code, its name in the {@link ProgramErrors} catalog for the failing program (null when unknown).
     */
    public String errorName() {
        if (customCode != null) return programId == null ? null : ProgramErrors.name(programId, customCode, logs);
        return errorName;
    }
    /** The program that failed, from the logs (null when the logs do not say). */
    public String programId() { return programId; }
    public List<String> logs() { return logs; }

    /** True for Solana's BlockhashNotFound: re-sign with a fresh blockhash (after checking the old signature's status). */
    public boolean isBlockhashNotFound() { return "BlockhashNotFound".equals(errorName); }
    public boolean isAlreadyProcessed() { return "AlreadyProcessed".equals(errorName); }
}
