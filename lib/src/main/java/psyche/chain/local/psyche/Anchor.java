package psyche.chain.local.psyche;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

import psyche.chain.AccountMeta;
import psyche.chain.AnchorError;
import psyche.chain.Pdas;
import psyche.chain.local.AccountRef;
import psyche.chain.local.InvokeContext;
import psyche.chain.local.ProgramFailure;
import psyche.coordinator.Pubkey;

/**
 * What Anchor's generated account validation does, for the local Psyche programs: signer, mut, owner, discriminator
 * and PDA checks that fail with Anchor's error numbers and log lines, account creation ({@code init}) and closing
 * ({@code close}) through the system program, and the log line of a program's own error.
 */
final class Anchor {
    private Anchor() {}

    static final Pubkey SYSTEM = Pubkey.SYSTEM;

    /** Fails on account {@code name} with a framework error, logging as Anchor does. */
    static ProgramFailure fail(InvokeContext ctx, String account, AnchorError e) {
        ctx.log("AnchorError caused by account: " + account + ". Error Code: " + e.name() + ". Error Number: "
                + e.code() + ". Error Message: " + e.message() + ".");
        return ProgramFailure.custom(e.code());
    }

    /** Fails with an instruction-level framework error (no account named). */
    static ProgramFailure fail(InvokeContext ctx, AnchorError e) {
        ctx.log("AnchorError occurred. Error Code: " + e.name() + ". Error Number: " + e.code() + ". Error Message: "
                + e.message() + ".");
        return ProgramFailure.custom(e.code());
    }

    /** Fails with a program's own error (6000+), logging {@code AnchorError occurred. ...}. */
    static ProgramFailure programError(InvokeContext ctx, String name, int code, String message) {
        ctx.log("AnchorError occurred. Error Code: " + name + ". Error Number: " + code + ". Error Message: "
                + message + ".");
        return ProgramFailure.custom(code);
    }

    /** The accounts an instruction needs are all there, or AccountNotEnoughKeys. */
    static void need(InvokeContext ctx, List<AccountRef> accounts, int n) {
        if (accounts.size() < n) throw fail(ctx, AnchorError.AccountNotEnoughKeys);
    }

    /** {@code Signer<'info>}. */
    static void signer(InvokeContext ctx, AccountRef a, String name) {
        if (!a.isSigner()) throw fail(ctx, name, AnchorError.AccountNotSigner);
    }

    /** {@code #[account(mut)]}. */
    static void mut(InvokeContext ctx, AccountRef a, String name) {
        if (!a.isWritable()) throw fail(ctx, name, AnchorError.ConstraintMut);
    }

    /** {@code constraint = ...}. */
    static void raw(InvokeContext ctx, boolean holds, String name) {
        if (!holds) throw fail(ctx, name, AnchorError.ConstraintRaw);
    }

    /** {@code Program<'info, P>}: the account is that program. */
    static void program(InvokeContext ctx, AccountRef a, Pubkey id, String name) {
        if (!a.key().equals(id)) throw fail(ctx, name, AnchorError.InvalidProgramId);
        if (!a.isExecutable()) throw fail(ctx, name, AnchorError.InvalidProgramExecutable);
    }

    /** {@code SystemAccount<'info>}. */
    static void systemAccount(InvokeContext ctx, AccountRef a, String name) {
        if (!a.owner().equals(SYSTEM)) throw fail(ctx, name, AnchorError.AccountNotSystemOwned);
    }

    /**
     * AccountLoader::try_from (Anchor 0.30.1 lang/src/accounts/account_loader.rs): owner, then discriminator. Unlike
     * Account, it has no AccountNotInitialized check: a missing (system-owned) account is AccountOwnedByWrongProgram.
     */
    static byte[] loader(InvokeContext ctx, AccountRef a, Pubkey owner, byte[] disc, String name) {
        if (!a.owner().equals(owner)) {
            ctx.log("Left:");
            ctx.log(a.owner().toBase58());
            ctx.log("Right:");
            ctx.log(owner.toBase58());
            throw fail(ctx, name, AnchorError.AccountOwnedByWrongProgram);
        }
        byte[] data = a.data();
        if (data.length < 8) throw fail(ctx, name, AnchorError.AccountDiscriminatorNotFound);
        if (!Arrays.equals(Arrays.copyOf(data, 8), disc)) throw fail(ctx, name, AnchorError.AccountDiscriminatorMismatch);
        return data;
    }

    /**
     * {@code Account<'info, T>}: a missing (system-owned, empty) account is AccountNotInitialized; otherwise the
     * checks of {@link #loader}. Returns the data.
     */
    static byte[] typed(InvokeContext ctx, AccountRef a, Pubkey owner, byte[] disc, String name) {
        if (a.owner().equals(SYSTEM) && a.lamports() == 0) throw fail(ctx, name, AnchorError.AccountNotInitialized);
        return loader(ctx, a, owner, disc, name);
    }

    /** {@code seeds = [...], bump = stored}: the account is that PDA of {@code programId}. */
    static void seeds(InvokeContext ctx, AccountRef a, Pubkey programId, int bump, String name, byte[]... seeds) {
        Pubkey expected;
        try {
            byte[][] all = Arrays.copyOf(seeds, seeds.length + 1);
            all[seeds.length] = new byte[] {(byte) bump};
            expected = createProgramAddress(programId, all);
        } catch (IllegalArgumentException e) {
            throw fail(ctx, name, AnchorError.ConstraintSeeds);
        }
        if (!expected.equals(a.key())) {
            ctx.log("Left:");
            ctx.log(a.key().toBase58());
            ctx.log("Right:");
            ctx.log(expected.toBase58());
            throw fail(ctx, name, AnchorError.ConstraintSeeds);
        }
    }

    /** {@code seeds = [...], bump} on init: finds the bump; the account must be the canonical PDA. */
    static Pdas.Pda findSeeds(InvokeContext ctx, AccountRef a, Pubkey programId, String name, byte[]... seeds) {
        Pdas.Pda pda;
        try {
            pda = Pdas.find(programId, seeds);
        } catch (IllegalArgumentException e) {
            throw fail(ctx, name, AnchorError.ConstraintSeeds);
        }
        if (!pda.address().equals(a.key())) {
            ctx.log("Left:");
            ctx.log(a.key().toBase58());
            ctx.log("Right:");
            ctx.log(pda.address().toBase58());
            throw fail(ctx, name, AnchorError.ConstraintSeeds);
        }
        return pda;
    }

    /**
     * Derivations already made: the address is a pure function of program and seeds, and the curve check behind it
     * costs about as much as the rest of a tick (it runs under the ledger's lock), so each is computed once.
     */
    private static final java.util.concurrent.ConcurrentHashMap<String, Pubkey> DERIVED = new java.util.concurrent.ConcurrentHashMap<>();

    private static Pubkey createProgramAddress(Pubkey programId, byte[][] seedsWithBump) {
        StringBuilder key = new StringBuilder(programId.toBase58());
        for (byte[] seed : seedsWithBump) key.append('/').append(java.util.HexFormat.of().formatHex(seed));
        Pubkey cached = DERIVED.get(key.toString());
        if (cached != null) return cached;
        Pubkey derived = psyche.chain.Pdas.createProgramAddress(programId, List.of(seedsWithBump));
        if (DERIVED.size() > 100_000) DERIVED.clear(); // bounded: a long-lived chain with very many runs
        DERIVED.put(key.toString(), derived);
        return derived;
    }

    /**
     * {@code init, payer, space}: creates {@code account} (a PDA signed by {@code seedsWithBump}) owned by the
     * executing program, rent exempt, paid by {@code payer}; as Anchor does, an address already holding lamports is
     * topped up, allocated and assigned instead.
     */
    static void create(InvokeContext ctx, AccountRef payer, AccountRef account, int space, List<byte[]> seedsWithBump) {
        long rent = ctx.minimumBalance(space);
        List<List<byte[]>> signer = List.of(seedsWithBump);
        if (account.lamports() == 0) {
            ctx.invoke(SYSTEM, List.of(AccountMeta.writable(payer.key(), true), AccountMeta.writable(account.key(), true)),
                    systemCreateAccount(rent, space, ctx.programId()), signer);
        } else {
            long topUp = Math.max(0, rent - account.lamports());
            if (topUp > 0) {
                ctx.invoke(SYSTEM, List.of(AccountMeta.writable(payer.key(), true),
                        AccountMeta.writable(account.key(), false)), systemTransfer(topUp), signer);
            }
            ctx.invoke(SYSTEM, List.of(AccountMeta.writable(account.key(), true)), systemAllocate(space), signer);
            ctx.invoke(SYSTEM, List.of(AccountMeta.writable(account.key(), true)), systemAssign(ctx.programId()), signer);
        }
    }

    /** {@code close = target}: lamports to target, data emptied, owner back to the system program. */
    static void close(AccountRef account, AccountRef target) {
        long lamports = account.lamports();
        account.setLamports(0);
        target.setLamports(target.lamports() + lamports);
        account.setData(new byte[0]);
        account.setOwner(SYSTEM);
    }

    /** {@code realloc = space, realloc::payer}: resizes, the payer covering rent growth and taking back any excess. */
    static void realloc(InvokeContext ctx, AccountRef payer, AccountRef account, byte[] newData) {
        long rent = ctx.minimumBalance(newData.length);
        if (rent > account.lamports()) {
            ctx.invoke(SYSTEM, List.of(AccountMeta.writable(payer.key(), true), AccountMeta.writable(account.key(), false)),
                    systemTransfer(rent - account.lamports()), List.of());
        } else if (rent < account.lamports()) {
            long excess = account.lamports() - rent;
            account.setLamports(rent);
            payer.setLamports(payer.lamports() + excess);
        }
        account.setData(newData);
    }

    static byte[] systemCreateAccount(long lamports, long space, Pubkey owner) {
        return ByteBuffer.allocate(52).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putLong(lamports).putLong(space)
                .put(owner.bytes()).array();
    }

    static byte[] systemAssign(Pubkey owner) {
        return ByteBuffer.allocate(36).order(ByteOrder.LITTLE_ENDIAN).putInt(1).put(owner.bytes()).array();
    }

    static byte[] systemTransfer(long lamports) {
        return ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(2).putLong(lamports).array();
    }

    static byte[] systemAllocate(long space) {
        return ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(8).putLong(space).array();
    }

    static byte[] u64le(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    /** Anchor logs {@code Instruction: CamelCaseName} on entry. */
    static String camel(String snake) {
        StringBuilder b = new StringBuilder();
        for (String part : snake.split("_")) {
            if (!part.isEmpty()) b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return b.toString();
    }
}
