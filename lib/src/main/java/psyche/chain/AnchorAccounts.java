package psyche.chain;

/** Shared checks of Anchor (Borsh) account data: the 8-byte discriminator and a typed decode error. */
final class AnchorAccounts {
    private AnchorAccounts() {}

    static Borsh.Reader open(byte[] data, byte[] discriminator, String kind) {
        if (data == null || data.length < 8) {
            throw new AccountDecodeException(AccountDecodeException.Reason.SIZE, kind + " account has "
                    + (data == null ? "no data" : data.length + " bytes") + ", expected at least the 8-byte discriminator");
        }
        if (!Borsh.startsWith(data, discriminator)) {
            throw new AccountDecodeException(AccountDecodeException.Reason.DISCRIMINATOR, kind
                    + " discriminator is " + Borsh.hex(java.util.Arrays.copyOf(data, 8)) + ", expected "
                    + Borsh.hex(discriminator) + ": the data is not a " + kind + " account");
        }
        return new Borsh.Reader(data, 8, kind);
    }

    /** Runs a Borsh read, turning truncation and out-of-range values into a typed FIELD/SIZE error. */
    static <T> T read(String kind, java.util.function.Supplier<T> body) {
        try {
            return body.get();
        } catch (AccountDecodeException e) {
            throw e;
        } catch (ChainDecodeException | IllegalArgumentException e) {
            throw new AccountDecodeException(e.getMessage() != null && e.getMessage().contains("truncated")
                    ? AccountDecodeException.Reason.SIZE : AccountDecodeException.Reason.FIELD, e.getMessage(), e);
        }
    }

    static byte[] withDiscriminator(byte[] discriminator, Borsh.Writer body) {
        byte[] b = body.toByteArray();
        byte[] out = new byte[8 + b.length];
        System.arraycopy(discriminator, 0, out, 0, 8);
        System.arraycopy(b, 0, out, 8, b.length);
        return out;
    }
}
