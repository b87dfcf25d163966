package psyche.chain;

/** Instruction data that matches no known instruction, or whose arguments do not parse. */
public class InstructionDecodeException extends ChainDecodeException {
    public InstructionDecodeException(String message) { super(message); }
    public InstructionDecodeException(String message, Throwable cause) { super(message, cause); }
}
