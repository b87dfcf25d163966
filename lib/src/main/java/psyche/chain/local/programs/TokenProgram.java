package psyche.chain.local.programs;

import java.util.List;
import java.util.Optional;

import psyche.chain.ChainDecodeException;
import psyche.chain.TokenAccount;
import psyche.chain.TokenMint;
import psyche.chain.local.AccountRef;
import psyche.chain.local.InstructionError;
import psyche.chain.local.InvokeContext;
import psyche.chain.local.Program;
import psyche.chain.local.ProgramFailure;
import psyche.coordinator.Pubkey;

/**
 * SPL Token (the original token program) for single-signer use: initialize_mint(2), initialize_account(2,3),
 * mint_to(_checked), transfer(_checked), with SPL's {@code TokenError} codes and log lines.
 */
public final class TokenProgram implements Program {
    public static final Pubkey ID = Pubkey.fromBase58("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");

    /** SPL TokenError: custom program error codes and the text SPL logs for them. */
    public enum Error {
        NOT_RENT_EXEMPT("Lamport balance below rent-exempt threshold"),
        INSUFFICIENT_FUNDS("insufficient funds"),
        INVALID_MINT("Invalid Mint"),
        MINT_MISMATCH("Account not associated with this Mint"),
        OWNER_MISMATCH("owner does not match"),
        FIXED_SUPPLY("the total supply of this token is fixed"),
        ALREADY_IN_USE("account or token already in use"),
        INVALID_NUMBER_OF_PROVIDED_SIGNERS("Invalid number of provided signers"),
        INVALID_NUMBER_OF_REQUIRED_SIGNERS("Invalid number of required signers"),
        UNINITIALIZED_STATE("State is uninitialized"),
        NATIVE_NOT_SUPPORTED("Instruction does not support native tokens"),
        NON_NATIVE_HAS_BALANCE("Non-native account can only be closed if its balance is zero"),
        INVALID_INSTRUCTION("Invalid instruction"),
        INVALID_STATE("State is invalid for requested operation"),
        OVERFLOW("Operation overflowed"),
        AUTHORITY_TYPE_NOT_SUPPORTED("Account does not support specified authority type"),
        MINT_CANNOT_FREEZE("This token mint cannot freeze accounts"),
        ACCOUNT_FROZEN("Account is frozen"),
        MINT_DECIMALS_MISMATCH("The provided decimals value different from the Mint decimals");

        private final String text;

        Error(String text) { this.text = text; }

        public int code() { return ordinal(); }

        ProgramFailure fail(InvokeContext ctx) {
            ctx.log("Error: " + text);
            return ProgramFailure.custom(ordinal());
        }
    }

    @Override public Pubkey id() { return ID; }
    @Override public String name() { return "spl-token"; }

    @Override public void execute(InvokeContext ctx, List<AccountRef> accounts, byte[] data) {
        if (data.length == 0) throw Error.INVALID_INSTRUCTION.fail(ctx);
        ctx.consumeComputeUnits(2_000);
        switch (data[0]) {
            case 0 -> { ctx.log("Instruction: InitializeMint"); initializeMint(ctx, accounts, data); }
            case 20 -> { ctx.log("Instruction: InitializeMint2"); initializeMint(ctx, accounts, data); }
            case 1 -> {
                ctx.log("Instruction: InitializeAccount");
                need(accounts, 3);
                initializeAccount(ctx, accounts.get(0), accounts.get(1), accounts.get(2).key());
            }
            case 16, 18 -> {
                ctx.log("Instruction: InitializeAccount" + (data[0] == 16 ? "2" : "3"));
                need(accounts, 2);
                if (data.length < 33) throw Error.INVALID_INSTRUCTION.fail(ctx);
                initializeAccount(ctx, accounts.get(0), accounts.get(1), Pubkey.of(data, 1));
            }
            case 7, 14 -> {
                ctx.log(data[0] == 7 ? "Instruction: MintTo" : "Instruction: MintToChecked");
                need(accounts, 3);
                if (data.length < (data[0] == 7 ? 9 : 10)) throw Error.INVALID_INSTRUCTION.fail(ctx);
                mintTo(ctx, accounts.get(0), accounts.get(1), accounts.get(2), Le.u64(data, 1), data[0] == 14 ? data[9] & 0xff : -1);
            }
            case 3 -> {
                ctx.log("Instruction: Transfer");
                need(accounts, 3);
                if (data.length < 9) throw Error.INVALID_INSTRUCTION.fail(ctx);
                transfer(ctx, accounts.get(0), null, accounts.get(1), accounts.get(2), Le.u64(data, 1), -1);
            }
            case 12 -> {
                ctx.log("Instruction: TransferChecked");
                need(accounts, 4);
                if (data.length < 10) throw Error.INVALID_INSTRUCTION.fail(ctx);
                transfer(ctx, accounts.get(0), accounts.get(1), accounts.get(2), accounts.get(3), Le.u64(data, 1), data[9] & 0xff);
            }
            default -> {
                ctx.log("token instruction " + (data[0] & 0xff) + " is not supported by the local chain");
                throw Error.INVALID_INSTRUCTION.fail(ctx);
            }
        }
    }

    private static void need(List<AccountRef> accounts, int n) {
        if (accounts.size() < n) throw new ProgramFailure(InstructionError.NOT_ENOUGH_ACCOUNT_KEYS);
    }

    private static void initializeMint(InvokeContext ctx, List<AccountRef> accounts, byte[] data) {
        need(accounts, 1);
        if (data.length < 35) throw Error.INVALID_INSTRUCTION.fail(ctx);
        AccountRef mint = accounts.get(0);
        int decimals = data[1] & 0xff;
        Pubkey authority = Pubkey.of(data, 2);
        Pubkey freeze = data[34] == 1 && data.length >= 67 ? Pubkey.of(data, 35) : null;
        if (!mint.owner().equals(ID)) throw new ProgramFailure(InstructionError.INCORRECT_PROGRAM_ID);
        if (mint.dataLength() != TokenMint.SIZE) throw new ProgramFailure(InstructionError.INVALID_ACCOUNT_DATA);
        if (mintState(mint).initialized()) throw Error.ALREADY_IN_USE.fail(ctx);
        if (mint.lamports() < ctx.minimumBalance(TokenMint.SIZE)) throw Error.NOT_RENT_EXEMPT.fail(ctx);
        mint.setData(new TokenMint(Optional.of(authority), 0, decimals, true, Optional.ofNullable(freeze)).encode());
    }

    /** SPL's Mint::unpack: bytes it refuses (a COption tag or bool out of range) are InvalidAccountData. */
    private static TokenMint mintState(AccountRef mint) {
        try {
            return TokenMint.decode(mint.data());
        } catch (ChainDecodeException e) {
            throw new ProgramFailure(InstructionError.INVALID_ACCOUNT_DATA, e.getMessage());
        }
    }

    /** SPL's Account::unpack, likewise. */
    private static TokenAccount accountState(AccountRef account) {
        try {
            return TokenAccount.decode(account.data());
        } catch (ChainDecodeException e) {
            throw new ProgramFailure(InstructionError.INVALID_ACCOUNT_DATA, e.getMessage());
        }
    }

    private static TokenMint loadMint(InvokeContext ctx, AccountRef mint) {
        if (!mint.owner().equals(ID)) throw new ProgramFailure(InstructionError.INCORRECT_PROGRAM_ID);
        if (mint.dataLength() != TokenMint.SIZE) throw Error.INVALID_MINT.fail(ctx);
        TokenMint state = mintState(mint);
        if (!state.initialized()) throw Error.UNINITIALIZED_STATE.fail(ctx);
        return state;
    }

    private static TokenAccount loadAccount(InvokeContext ctx, AccountRef account) {
        if (!account.owner().equals(ID)) throw new ProgramFailure(InstructionError.INCORRECT_PROGRAM_ID);
        if (account.dataLength() != TokenAccount.SIZE) throw new ProgramFailure(InstructionError.INVALID_ACCOUNT_DATA);
        TokenAccount state = accountState(account);
        if (!state.isInitialized()) throw Error.UNINITIALIZED_STATE.fail(ctx);
        if (state.state() == TokenAccount.STATE_FROZEN) throw Error.ACCOUNT_FROZEN.fail(ctx);
        return state;
    }

    private static void initializeAccount(InvokeContext ctx, AccountRef account, AccountRef mint, Pubkey owner) {
        if (!account.owner().equals(ID)) throw new ProgramFailure(InstructionError.INCORRECT_PROGRAM_ID);
        if (account.dataLength() != TokenAccount.SIZE) throw new ProgramFailure(InstructionError.INVALID_ACCOUNT_DATA);
        if (accountState(account).isInitialized()) throw Error.ALREADY_IN_USE.fail(ctx);
        if (account.lamports() < ctx.minimumBalance(TokenAccount.SIZE)) throw Error.NOT_RENT_EXEMPT.fail(ctx);
        if (!mint.owner().equals(ID) || mint.dataLength() != TokenMint.SIZE
                || !mintState(mint).initialized()) {
            throw Error.INVALID_MINT.fail(ctx);
        }
        account.setData(TokenAccount.of(mint.key(), owner, 0).encode());
    }

    private static void requireAuthority(InvokeContext ctx, Pubkey expected, AccountRef authority) {
        if (!expected.equals(authority.key())) throw Error.OWNER_MISMATCH.fail(ctx);
        if (!authority.isSigner()) throw new ProgramFailure(InstructionError.MISSING_REQUIRED_SIGNATURE);
    }

    private static void mintTo(InvokeContext ctx, AccountRef mint, AccountRef destination, AccountRef authority,
                               long amount, int decimals) {
        TokenAccount dest = loadAccount(ctx, destination);
        if (!dest.mint().equals(mint.key())) throw Error.MINT_MISMATCH.fail(ctx);
        TokenMint state = loadMint(ctx, mint);
        if (decimals >= 0 && decimals != state.decimals()) throw Error.MINT_DECIMALS_MISMATCH.fail(ctx);
        if (state.mintAuthority().isEmpty()) throw Error.FIXED_SUPPLY.fail(ctx);
        requireAuthority(ctx, state.mintAuthority().get(), authority);
        long supply = state.supply() + amount;
        long balance = dest.amount() + amount;
        if (Long.compareUnsigned(supply, state.supply()) < 0 || Long.compareUnsigned(balance, dest.amount()) < 0) {
            throw Error.OVERFLOW.fail(ctx);
        }
        destination.setData(dest.withAmount(balance).encode());
        mint.setData(state.withSupply(supply).encode());
    }

    private static void transfer(InvokeContext ctx, AccountRef source, AccountRef mint, AccountRef destination,
                                 AccountRef authority, long amount, int decimals) {
        TokenAccount from = loadAccount(ctx, source);
        TokenAccount to = loadAccount(ctx, destination);
        if (Long.compareUnsigned(from.amount(), amount) < 0) throw Error.INSUFFICIENT_FUNDS.fail(ctx);
        if (!from.mint().equals(to.mint())) throw Error.MINT_MISMATCH.fail(ctx);
        if (mint != null) {
            if (!mint.key().equals(from.mint())) throw Error.MINT_MISMATCH.fail(ctx);
            if (decimals != loadMint(ctx, mint).decimals()) throw Error.MINT_DECIMALS_MISMATCH.fail(ctx);
        }
        requireAuthority(ctx, from.owner(), authority);
        if (source.key().equals(destination.key())) return; // self-transfer: valid, changes nothing
        long credited = to.amount() + amount;
        if (Long.compareUnsigned(credited, to.amount()) < 0) throw Error.OVERFLOW.fail(ctx);
        source.setData(from.withAmount(from.amount() - amount).encode());
        destination.setData(to.withAmount(credited).encode());
    }
}
