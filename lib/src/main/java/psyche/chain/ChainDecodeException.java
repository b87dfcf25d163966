package psyche.chain;

import psyche.PsycheException;

/** Bytes that do not decode as what they were expected to be: says what, where, and what was expected. */
public class ChainDecodeException extends PsycheException {
    public ChainDecodeException(String message) { super(message); }
    public ChainDecodeException(String message, Throwable cause) { super(message, cause); }

    @Override public String hint() {
        return "check that the account or transaction belongs to the programs you meant (--coordinator-program and the other"
                + " program id options); " + REPORT_HINT;
    }
}
