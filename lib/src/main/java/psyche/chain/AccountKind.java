package psyche.chain;

import java.util.Arrays;

/** Account kinds this project decodes, with detection by discriminator (or exact size for SPL token data). */
public enum AccountKind {
    COORDINATOR, INSTANCE, AUTHORIZATION, RUN, PARTICIPANT, MINT, TOKEN_ACCOUNT;

    /** Detects the kind of raw account data; a typed error lists what was seen and what is known. */
    public static AccountKind detect(byte[] data) {
        if (data == null || data.length < 8) {
            throw new AccountDecodeException(AccountDecodeException.Reason.SIZE, "account data has "
                    + (data == null ? "no" : data.length) + " bytes: too short to hold a discriminator");
        }
        if (Borsh.startsWith(data, CoordinatorAccountCodec.DISCRIMINATOR)) return COORDINATOR;
        if (Borsh.startsWith(data, CoordinatorInstance.DISCRIMINATOR)) return INSTANCE;
        if (Borsh.startsWith(data, Authorization.DISCRIMINATOR)) return AUTHORIZATION;
        if (Borsh.startsWith(data, TreasurerRun.DISCRIMINATOR)) return RUN;
        if (Borsh.startsWith(data, Participant.DISCRIMINATOR)) return PARTICIPANT;
        if (data.length == TokenMint.SIZE) return MINT;
        if (data.length == TokenAccount.SIZE) return TOKEN_ACCOUNT;
        throw new AccountDecodeException(AccountDecodeException.Reason.DISCRIMINATOR, "discriminator "
                + Borsh.hex(Arrays.copyOf(data, 8)) + " (" + data.length + " bytes) is none of "
                + "coordinator, instance, authorization, run, participant; nor SPL mint (82 B) or token account (165 B)");
    }

    /** Decodes {@code data} as this kind. */
    public Object decode(byte[] data) {
        return switch (this) {
            case COORDINATOR -> CoordinatorAccountCodec.decode(data);
            case INSTANCE -> CoordinatorInstance.decode(data);
            case AUTHORIZATION -> Authorization.decode(data);
            case RUN -> TreasurerRun.decode(data);
            case PARTICIPANT -> Participant.decode(data);
            case MINT -> TokenMint.decode(data);
            case TOKEN_ACCOUNT -> TokenAccount.decode(data);
        };
    }
}
