package psyche.chain.local.programs;

import java.util.List;

import psyche.chain.local.AccountRef;
import psyche.chain.local.InstructionError;
import psyche.chain.local.InvokeContext;
import psyche.chain.local.Program;
import psyche.chain.local.ProgramFailure;
import psyche.coordinator.Pubkey;

/**
 * Solana's system program: create_account, assign, transfer, allocate, with its error codes
 * (custom 0 AccountAlreadyInUse, 1 ResultWithNegativeLamports, 3 InvalidAccountDataLength).
 */
public final class SystemProgram implements Program {
    public static final Pubkey ID = Pubkey.SYSTEM;
    public static final long MAX_PERMITTED_DATA_LENGTH = 10L * 1024 * 1024;
    /** SystemError codes, in Solana's order. */
    public static final int ACCOUNT_ALREADY_IN_USE = 0;
    public static final int RESULT_WITH_NEGATIVE_LAMPORTS = 1;
    public static final int INVALID_PROGRAM_ID = 2;
    public static final int INVALID_ACCOUNT_DATA_LENGTH = 3;

    @Override public Pubkey id() { return ID; }
    @Override public boolean isNative() { return true; }
    @Override public String name() { return "system"; }

    @Override public void execute(InvokeContext ctx, List<AccountRef> accounts, byte[] data) {
        Le.need(data, 4);
        int tag = Le.u32(data, 0);
        switch (tag) {
            case 0 -> { // CreateAccount { lamports, space, owner }
                Le.need(data, 52);
                need(accounts, 2);
                createAccount(ctx, accounts.get(0), accounts.get(1), Le.u64(data, 4), Le.u64(data, 12), Pubkey.of(data, 20));
            }
            case 1 -> { // Assign { owner }
                Le.need(data, 36);
                need(accounts, 1);
                assign(ctx, accounts.get(0), Pubkey.of(data, 4));
            }
            case 2 -> { // Transfer { lamports }
                Le.need(data, 12);
                need(accounts, 2);
                transfer(ctx, accounts.get(0), accounts.get(1), Le.u64(data, 4));
            }
            case 8 -> { // Allocate { space }
                Le.need(data, 12);
                need(accounts, 1);
                allocate(ctx, accounts.get(0), Le.u64(data, 4));
            }
            default -> throw new ProgramFailure(InstructionError.INVALID_INSTRUCTION_DATA,
                    "system instruction " + tag + " is not supported by the local chain");
        }
    }

    private static void need(List<AccountRef> accounts, int n) {
        if (accounts.size() < n) throw new ProgramFailure(InstructionError.NOT_ENOUGH_ACCOUNT_KEYS);
    }

    private static void createAccount(InvokeContext ctx, AccountRef from, AccountRef to, long lamports, long space, Pubkey owner) {
        if (to.lamports() > 0 || to.dataLength() > 0 || !to.owner().equals(ID)) {
            ctx.log("Create Account: account Address { address: " + to.key() + ", base: None } already in use");
            throw ProgramFailure.custom(ACCOUNT_ALREADY_IN_USE);
        }
        allocate(ctx, to, space);
        assign(ctx, to, owner);
        transfer(ctx, from, to, lamports);
    }

    private static void allocate(InvokeContext ctx, AccountRef account, long space) {
        if (!account.isSigner()) {
            ctx.log("Allocate: 'to' account " + account.key() + " must sign");
            throw new ProgramFailure(InstructionError.MISSING_REQUIRED_SIGNATURE);
        }
        if (account.dataLength() > 0 || !account.owner().equals(ID)) {
            ctx.log("Allocate: account Address { address: " + account.key() + ", base: None } already in use");
            throw ProgramFailure.custom(ACCOUNT_ALREADY_IN_USE);
        }
        if (space < 0 || space > MAX_PERMITTED_DATA_LENGTH) {
            ctx.log("Allocate: requested " + space + ", max allowed " + MAX_PERMITTED_DATA_LENGTH);
            throw ProgramFailure.custom(INVALID_ACCOUNT_DATA_LENGTH);
        }
        if (space > 0) account.setData(new byte[(int) space]);
    }

    private static void assign(InvokeContext ctx, AccountRef account, Pubkey owner) {
        if (account.owner().equals(owner)) return;
        if (!account.isSigner()) {
            ctx.log("Assign: account " + account.key() + " must sign");
            throw new ProgramFailure(InstructionError.MISSING_REQUIRED_SIGNATURE);
        }
        account.setOwner(owner);
    }

    private static void transfer(InvokeContext ctx, AccountRef from, AccountRef to, long lamports) {
        if (!from.isSigner()) {
            ctx.log("Transfer: `from` account " + from.key() + " must sign");
            throw new ProgramFailure(InstructionError.MISSING_REQUIRED_SIGNATURE);
        }
        if (from.dataLength() > 0) {
            ctx.log("Transfer: `from` must not carry data");
            throw new ProgramFailure(InstructionError.INVALID_ARGUMENT);
        }
        if (lamports < 0 || from.lamports() < lamports) {
            ctx.log("Transfer: insufficient lamports " + from.lamports() + ", need " + Long.toUnsignedString(lamports));
            throw ProgramFailure.custom(RESULT_WITH_NEGATIVE_LAMPORTS);
        }
        if (lamports == 0) return;
        from.setLamports(from.lamports() - lamports);
        try {
            to.setLamports(Math.addExact(to.lamports(), lamports));
        } catch (ArithmeticException overflow) {
            throw new ProgramFailure(InstructionError.ARITHMETIC_OVERFLOW);
        }
    }
}
