package psyche.chain.local.programs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import psyche.chain.AccountMeta;
import psyche.chain.Pdas;
import psyche.chain.TokenAccount;
import psyche.chain.local.AccountRef;
import psyche.chain.local.InstructionError;
import psyche.chain.local.InvokeContext;
import psyche.chain.local.Program;
import psyche.chain.local.ProgramFailure;
import psyche.coordinator.Pubkey;

/**
 * The associated token account program: create and create_idempotent for the account at
 * PDA([wallet, token program, mint]), funded by the payer, initialized through CPIs into system and token.
 */
public final class AssociatedTokenProgram implements Program {
    public static final Pubkey ID = Pubkey.fromBase58("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");
    /** AssociatedTokenAccountError::InvalidOwner. */
    public static final int INVALID_OWNER = 0;

    @Override public Pubkey id() { return ID; }
    @Override public String name() { return "spl-associated-token-account"; }

    /** The associated token account of {@code wallet} for {@code mint} under the classic token program. */
    public static Pdas.Pda address(Pubkey wallet, Pubkey mint) {
        return Pdas.find(ID, wallet.bytes(), TokenProgram.ID.bytes(), mint.bytes());
    }

    @Override public void execute(InvokeContext ctx, List<AccountRef> accounts, byte[] data) {
        int kind = data.length == 0 ? 0 : data[0];
        if (kind != 0 && kind != 1) {
            throw new ProgramFailure(InstructionError.INVALID_INSTRUCTION_DATA,
                    "associated token instruction " + kind + " is not supported by the local chain");
        }
        ctx.log(kind == 0 ? "Create" : "CreateIdempotent");
        if (accounts.size() < 6) throw new ProgramFailure(InstructionError.NOT_ENOUGH_ACCOUNT_KEYS);
        AccountRef payer = accounts.get(0);
        AccountRef ata = accounts.get(1);
        AccountRef wallet = accounts.get(2);
        AccountRef mint = accounts.get(3);
        AccountRef system = accounts.get(4);
        AccountRef token = accounts.get(5);
        ctx.consumeComputeUnits(10_000);
        Pdas.Pda derived = Pdas.find(ID, wallet.key().bytes(), token.key().bytes(), mint.key().bytes());
        if (!derived.address().equals(ata.key())) {
            ctx.log("Error: Associated address does not match seed derivation");
            throw new ProgramFailure(InstructionError.INVALID_SEEDS);
        }
        if (kind == 1 && ata.owner().equals(token.key()) && ata.dataLength() == TokenAccount.SIZE) {
            TokenAccount existing = TokenAccount.decode(ata.data());
            if (existing.isInitialized()) {
                if (!existing.owner().equals(wallet.key())) {
                    ctx.log("Error: Associated token account owner does not match address derivation");
                    throw ProgramFailure.custom(INVALID_OWNER);
                }
                if (!existing.mint().equals(mint.key())) throw new ProgramFailure(InstructionError.INVALID_ACCOUNT_DATA);
                return;
            }
        }
        if (!mint.owner().equals(token.key())) throw new ProgramFailure(InstructionError.INCORRECT_PROGRAM_ID);
        if (!system.key().equals(SystemProgram.ID)) throw new ProgramFailure(InstructionError.INCORRECT_PROGRAM_ID);
        List<byte[]> seeds = List.of(wallet.key().bytes(), token.key().bytes(), mint.key().bytes(),
                new byte[] {(byte) derived.bump()});
        long rent = ctx.minimumBalance(TokenAccount.SIZE);
        List<AccountMeta> pair = List.of(AccountMeta.writable(payer.key(), true), AccountMeta.writable(ata.key(), true));
        if (ata.lamports() > 0) {
            // pre-funded address: top up, then allocate and assign (create_account would refuse a funded account)
            long topUp = Math.max(0, rent - ata.lamports());
            if (topUp > 0) ctx.invoke(SystemProgram.ID, pair, systemIx(2, topUp, null, null), List.of(seeds));
            ctx.invoke(SystemProgram.ID, List.of(AccountMeta.writable(ata.key(), true)),
                    systemIx(8, TokenAccount.SIZE, null, null), List.of(seeds));
            ctx.invoke(SystemProgram.ID, List.of(AccountMeta.writable(ata.key(), true)),
                    systemIx(1, 0, null, token.key()), List.of(seeds));
        } else {
            ctx.invoke(SystemProgram.ID, pair, systemIx(0, rent, (long) TokenAccount.SIZE, token.key()), List.of(seeds));
        }
        ctx.log("Initialize the associated token account");
        byte[] init = new byte[33];
        init[0] = 16; // InitializeAccount3
        System.arraycopy(wallet.key().bytes(), 0, init, 1, 32);
        ctx.invoke(token.key(), List.of(AccountMeta.writable(ata.key(), false), AccountMeta.readonly(mint.key(), false)), init);
    }

    /** System instruction bytes: create_account(0), assign(1), transfer(2) or allocate(8). */
    private static byte[] systemIx(int tag, long amount, Long space, Pubkey owner) {
        ByteBuffer b = ByteBuffer.allocate(52).order(ByteOrder.LITTLE_ENDIAN).putInt(tag);
        switch (tag) {
            case 0 -> b.putLong(amount).putLong(space).put(owner.bytes());
            case 1 -> b.put(owner.bytes());
            default -> b.putLong(amount);
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }
}
