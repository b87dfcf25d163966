package psyche.chain;

import psyche.coordinator.Pubkey;

import java.util.Objects;

/**
 * The program ids an instruction or PDA refers to. {@link #MAINNET} holds Psyche's deployed ids (spec §3, §5, §7)
 * and Solana's native programs; a local or forked deployment overrides any of them with the {@code with*} methods.
 */
public record ProgramIds(Pubkey coordinator, Pubkey authorizer, Pubkey treasurer, Pubkey system, Pubkey token,
                         Pubkey associatedToken) {
    public static final Pubkey COORDINATOR = Pubkey.fromBase58("4SHugWqSXwKE5fqDchkJcPEqnoZE22VYKtSTVm7axbT7");
    public static final Pubkey AUTHORIZER = Pubkey.fromBase58("PsyAUmhpmiUouWsnJdNGFSX8vZ6rWjXjgDPHsgqPGyw");
    public static final Pubkey TREASURER = Pubkey.fromBase58("EnU7DRx5az5YWxaxgqEGbXSYtudcfnjXewyBRRZCjJPw");
    public static final Pubkey SYSTEM = Pubkey.SYSTEM;
    public static final Pubkey TOKEN = Pubkey.fromBase58("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
    public static final Pubkey ASSOCIATED_TOKEN = Pubkey.fromBase58("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"); // the SPL associated token account program (was mistyped W1x)
    public static final Pubkey SYSVAR_RENT = Pubkey.fromBase58("SysvarRent111111111111111111111111111111111");

    public static final ProgramIds MAINNET = new ProgramIds(COORDINATOR, AUTHORIZER, TREASURER, SYSTEM, TOKEN,
            ASSOCIATED_TOKEN);

    public ProgramIds {
        Objects.requireNonNull(coordinator, "coordinator");
        Objects.requireNonNull(authorizer, "authorizer");
        Objects.requireNonNull(treasurer, "treasurer");
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(associatedToken, "associatedToken");
    }

    public ProgramIds withCoordinator(Pubkey id) { return new ProgramIds(id, authorizer, treasurer, system, token, associatedToken); }
    public ProgramIds withAuthorizer(Pubkey id) { return new ProgramIds(coordinator, id, treasurer, system, token, associatedToken); }
    public ProgramIds withTreasurer(Pubkey id) { return new ProgramIds(coordinator, authorizer, id, system, token, associatedToken); }
    public ProgramIds withToken(Pubkey id) { return new ProgramIds(coordinator, authorizer, treasurer, system, id, associatedToken); }
    public ProgramIds withAssociatedToken(Pubkey id) { return new ProgramIds(coordinator, authorizer, treasurer, system, token, id); }
}
