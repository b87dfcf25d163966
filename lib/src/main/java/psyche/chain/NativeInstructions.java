package psyche.chain;

import psyche.coordinator.Pubkey;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static psyche.chain.AccountMeta.*;
import static psyche.chain.CoordinatorInstructions.map;

/**
 * Solana's system program, SPL token and associated-token-account instructions this project sends. Their data is
 * not Borsh-with-discriminator: system uses a u32 LE variant index, SPL token a u8 tag (spl-token
 * {@code instruction.rs}), ATA a u8 (0 create, 1 create_idempotent).
 */
public final class NativeInstructions {
    private final ProgramIds ids;

    public NativeInstructions(ProgramIds ids) { this.ids = Objects.requireNonNull(ids, "ids"); }

    public static NativeInstructions mainnet() { return new NativeInstructions(ProgramIds.MAINNET); }

    /** System {@code CreateAccount} (variant 0): lamports, space, owner; [from(s,w), new(s,w)]. */
    public Instruction createAccount(Pubkey from, Pubkey newAccount, long lamports, long space, Pubkey owner) {
        byte[] data = new Borsh.Writer().u32(0).u64(lamports).u64(space).pubkey(owner).toByteArray();
        return new Instruction(ids.system(), List.of(signerWritable(from), signerWritable(newAccount)), data);
    }

    /** System {@code Transfer} (variant 2): lamports; [from(s,w), to(w)]. */
    public Instruction transfer(Pubkey from, Pubkey to, long lamports) {
        byte[] data = new Borsh.Writer().u32(2).u64(lamports).toByteArray();
        return new Instruction(ids.system(), List.of(signerWritable(from), writable(to)), data);
    }

    /** SPL {@code InitializeMint} (0): decimals, mint authority, freeze authority COption (1 byte tag); [mint(w), rent sysvar]. */
    public Instruction initializeMint(Pubkey mint, int decimals, Pubkey mintAuthority, Optional<Pubkey> freezeAuthority) {
        Borsh.Writer w = new Borsh.Writer().u8(0).u8(decimals).pubkey(mintAuthority);
        if (freezeAuthority.isPresent()) w.u8(1).pubkey(freezeAuthority.get());
        else w.u8(0);
        return new Instruction(ids.token(), List.of(writable(mint), readonly(ProgramIds.SYSVAR_RENT)), w.toByteArray());
    }

    /** SPL {@code Transfer} (3): amount; [source(w), destination(w), owner(s)]. */
    public Instruction tokenTransfer(Pubkey source, Pubkey destination, Pubkey owner, long amount) {
        return new Instruction(ids.token(), List.of(writable(source), writable(destination), signer(owner)),
                new Borsh.Writer().u8(3).u64(amount).toByteArray());
    }

    /** SPL {@code MintTo} (7): amount; [mint(w), destination(w), mint_authority(s)]. */
    public Instruction mintTo(Pubkey mint, Pubkey destination, Pubkey mintAuthority, long amount) {
        return new Instruction(ids.token(), List.of(writable(mint), writable(destination), signer(mintAuthority)),
                new Borsh.Writer().u8(7).u64(amount).toByteArray());
    }

    /** SPL {@code TransferChecked} (12): amount, decimals; [source(w), mint, destination(w), owner(s)]. */
    public Instruction transferChecked(Pubkey source, Pubkey mint, Pubkey destination, Pubkey owner, long amount, int decimals) {
        return new Instruction(ids.token(), List.of(writable(source), readonly(mint), writable(destination), signer(owner)),
                new Borsh.Writer().u8(12).u64(amount).u8(decimals).toByteArray());
    }

    /** ATA create: [payer(s,w), ata(w), wallet, mint, system, token program]. */
    public Instruction createAssociatedTokenAccount(Pubkey payer, Pubkey wallet, Pubkey mint, boolean idempotent) {
        Pubkey ata = new Pdas(ids).associatedTokenAccount(wallet, mint).address();
        return new Instruction(ids.associatedToken(), List.of(signerWritable(payer), writable(ata), readonly(wallet),
                readonly(mint), readonly(ids.system()), readonly(ids.token())), new byte[]{(byte) (idempotent ? 1 : 0)});
    }

    /** Reads native instruction data for {@link Instructions#decode}; unknown forms are an {@link InstructionDecodeException}. */
    DecodedInstruction decode(Instruction ix) {
        byte[] d = ix.data();
        try {
            if (ix.programId().equals(ids.system())) {
                Borsh.Reader r = new Borsh.Reader(d, "system instruction");
                long variant = r.u32("variant");
                DecodedInstruction out;
                if (variant == 0) {
                    out = new DecodedInstruction("system", "create_account", map("lamports", Long.toUnsignedString(r.u64("lamports")),
                            "space", Long.toUnsignedString(r.u64("space")), "owner", r.pubkey("owner")));
                } else if (variant == 2) {
                    out = new DecodedInstruction("system", "transfer", map("lamports", Long.toUnsignedString(r.u64("lamports"))));
                } else {
                    throw new InstructionDecodeException("system instruction variant " + variant + " is not one this project reads");
                }
                r.expectEnd();
                return out;
            }
            if (ix.programId().equals(ids.token())) {
                Borsh.Reader r = new Borsh.Reader(d, "SPL token instruction");
                int tag = r.u8("tag");
                DecodedInstruction out = switch (tag) {
                    case 0 -> {
                        int decimals = r.u8("decimals");
                        Pubkey authority = r.pubkey("mint_authority");
                        Optional<Pubkey> freeze = r.option("freeze_authority", x -> x.pubkey("freeze_authority"));
                        yield new DecodedInstruction("spl_token", "initialize_mint", map("decimals", decimals,
                                "mint_authority", authority, "freeze_authority", freeze));
                    }
                    case 3 -> new DecodedInstruction("spl_token", "transfer", map("amount", Long.toUnsignedString(r.u64("amount"))));
                    case 7 -> new DecodedInstruction("spl_token", "mint_to", map("amount", Long.toUnsignedString(r.u64("amount"))));
                    case 12 -> new DecodedInstruction("spl_token", "transfer_checked", map("amount",
                            Long.toUnsignedString(r.u64("amount")), "decimals", r.u8("decimals")));
                    default -> throw new InstructionDecodeException("SPL token instruction " + tag + " is not one this project reads");
                };
                r.expectEnd();
                return out;
            }
            if (ix.programId().equals(ids.associatedToken())) {
                if (d.length == 0 || (d.length == 1 && d[0] == 0)) return new DecodedInstruction("associated_token", "create", Map.of());
                if (d.length == 1 && d[0] == 1) return new DecodedInstruction("associated_token", "create_idempotent", Map.of());
                throw new InstructionDecodeException("associated token instruction " + Borsh.hex(d) + " is not create/create_idempotent");
            }
        } catch (InstructionDecodeException e) {
            throw e;
        } catch (ChainDecodeException e) {
            throw new InstructionDecodeException(e.getMessage(), e);
        }
        throw new InstructionDecodeException("program " + ix.programId() + " is not a native program this project reads");
    }
}
