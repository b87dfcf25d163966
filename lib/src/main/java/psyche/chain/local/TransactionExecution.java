package psyche.chain.local;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import psyche.chain.AccountMeta;
import psyche.chain.Message;
import psyche.chain.Pdas;
import psyche.chain.Rent;
import psyche.coordinator.Pubkey;

/**
 * Runs the instructions of one transaction against private copies of its accounts, enforcing the runtime's rules.
 * Nothing here touches the ledger: the caller commits {@link #modifiedAccounts()} only when it wants to.
 */
final class TransactionExecution {
    static final int MAX_STACK_HEIGHT = 5;
    static final long COMPUTE_UNIT_LIMIT = 200_000;
    private static final long NATIVE_COST = 150;
    private static final long BPF_BASE_COST = 1_000;

    /** An account of the transaction during execution: mutable, shared by every invocation that names it. */
    static final class TxAccount {
        final Pubkey key;
        final AccountState before;
        long lamports;
        Pubkey owner;
        byte[] data;
        final boolean executable;
        final long rentEpoch;
        boolean dataCopied;

        TxAccount(Pubkey key, AccountState before) {
            this.key = key;
            this.before = before;
            this.lamports = before.lamports();
            this.owner = before.owner();
            this.data = before.dataUnsafe();
            this.executable = before.executable();
            this.rentEpoch = before.rentEpoch();
        }

        byte[] writableData() {
            if (!dataCopied) { data = data.clone(); dataCopied = true; }
            return data;
        }

        boolean changed() {
            return lamports != before.lamports() || !owner.equals(before.owner())
                    || dataCopied && !Arrays.equals(data, before.dataUnsafe());
        }

        AccountState after() {
            if (lamports == 0) return AccountState.empty(); // Solana drops accounts left without lamports
            return AccountState.adopt(lamports, owner, dataCopied ? data.clone() : data, executable, rentEpoch);
        }
    }

    private final WireTransaction tx;
    private final Map<Pubkey, Program> programs;
    private final long slot;
    private final long unixTimestamp;
    private final Map<Pubkey, TxAccount> byKey = new LinkedHashMap<>();
    private final TxAccount[] byIndex;
    final List<String> logs = new ArrayList<>();
    long unitsConsumed;

    TransactionExecution(WireTransaction tx, Function<Pubkey, AccountState> loader, Map<Pubkey, Program> programs,
                         long slot, long unixTimestamp) {
        this.tx = tx;
        this.programs = programs;
        this.slot = slot;
        this.unixTimestamp = unixTimestamp;
        List<Pubkey> keys = tx.accountKeys();
        byIndex = new TxAccount[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            AccountState state = loader.apply(keys.get(i));
            byIndex[i] = new TxAccount(keys.get(i), state == null ? AccountState.empty() : state);
            byKey.put(keys.get(i), byIndex[i]);
        }
    }

    TxAccount account(int index) { return byIndex[index]; }

    /** Executes every instruction in order; returns the first failure, or null when all succeeded. */
    TransactionError run() {
        List<Message.CompiledInstruction> instructions = tx.instructions();
        for (int i = 0; i < instructions.size(); i++) {
            Message.CompiledInstruction ix = instructions.get(i);
            Pubkey programId = tx.accountKeys().get(ix.programIdIndex());
            Program program = programs.get(programId);
            if (program == null) return TransactionError.PROGRAM_ACCOUNT_NOT_FOUND;
            List<Ref> refs = new ArrayList<>(ix.accountCount());
            for (int a = 0; a < ix.accountCount(); a++) {
                int index = ix.accountIndex(a);
                refs.add(new Ref(byIndex[index], tx.isSigner(index), tx.isWritable(index), programId));
            }
            long before = totalLamports();
            try {
                invokeProgram(program, refs, ix.data(), 1);
            } catch (ProgramFailure failure) {
                return TransactionError.instruction(i, failure.error());
            }
            if (totalLamports() != before) {
                return TransactionError.instruction(i, InstructionError.UNBALANCED_INSTRUCTION);
            }
        }
        return null;
    }

    private long totalLamports() {
        long sum = 0;
        for (TxAccount a : byIndex) sum += a.lamports;
        return sum;
    }

    private long invokeProgram(Program program, List<Ref> refs, byte[] data, int height) {
        String id = program.id().toBase58();
        logs.add("Program " + id + " invoke [" + height + "]");
        Frame frame = new Frame(program, refs, height);
        frame.units = program.isNative() ? NATIVE_COST : BPF_BASE_COST;
        try {
            program.execute(frame, List.copyOf(refs), data);
        } catch (ProgramFailure failure) {
            finish(frame, program, id);
            logs.add("Program " + id + " failed: " + failure.error().message());
            throw failure;
        } catch (RuntimeException bug) {
            finish(frame, program, id);
            logs.add("Program " + id + " failed: " + InstructionError.PROGRAM_FAILED_TO_COMPLETE.message() + ": " + bug);
            throw new ProgramFailure(InstructionError.PROGRAM_FAILED_TO_COMPLETE, bug.toString());
        }
        finish(frame, program, id);
        logs.add("Program " + id + " success");
        return frame.units;
    }

    private void finish(Frame frame, Program program, String id) {
        if (frame.height == 1) unitsConsumed += frame.units;
        if (!program.isNative()) {
            logs.add("Program " + id + " consumed " + frame.units + " of " + COMPUTE_UNIT_LIMIT + " compute units");
        }
    }

    /** The accounts whose state differs from what was loaded, in transaction order. */
    Map<Pubkey, AccountState> modifiedAccounts() {
        Map<Pubkey, AccountState> out = new LinkedHashMap<>();
        for (TxAccount a : byIndex) if (a.changed()) out.put(a.key, a.after());
        return out;
    }

    /** Index of the first writable account left with lamports below its rent-exempt minimum, or -1. */
    int firstRentPayingAccount() {
        for (int i = 0; i < byIndex.length; i++) {
            TxAccount a = byIndex[i];
            if (!a.changed()) continue;
            if (a.lamports > 0 && a.lamports < Rent.exemptMinimum(a.data.length)) return i;
        }
        return -1;
    }

    long[] balances(boolean after) {
        long[] out = new long[byIndex.length];
        for (int i = 0; i < out.length; i++) out[i] = after ? byIndex[i].lamports : byIndex[i].before.lamports();
        return out;
    }

    /** One program invocation: the context a program sees. */
    private final class Frame implements InvokeContext {
        final Program program;
        final List<Ref> refs;
        final int height;
        long units;

        Frame(Program program, List<Ref> refs, int height) {
            this.program = program;
            this.refs = refs;
            this.height = height;
        }

        @Override public Pubkey programId() { return program.id(); }
        @Override public long slot() { return slot; }
        @Override public long unixTimestamp() { return unixTimestamp; }
        @Override public void log(String message) { logs.add("Program log: " + message); }
        @Override public long minimumBalance(int dataLength) { return Rent.exemptMinimum(dataLength); }
        @Override public int stackHeight() { return height; }
        @Override public void consumeComputeUnits(long n) { units += n; }

        @Override public void invoke(Pubkey calleeId, List<AccountMeta> metas, byte[] data, List<List<byte[]>> signerSeeds) {
            if (height >= MAX_STACK_HEIGHT) throw new ProgramFailure(InstructionError.CALL_DEPTH);
            Set<Pubkey> pdaSigners = new HashSet<>();
            for (List<byte[]> seeds : signerSeeds) {
                try {
                    pdaSigners.add(Pdas.createProgramAddress(program.id(), seeds));
                } catch (IllegalArgumentException e) {
                    throw new ProgramFailure(InstructionError.INVALID_SEEDS, e.getMessage());
                }
            }
            Map<Pubkey, boolean[]> callerPrivileges = new HashMap<>();
            for (Ref r : refs) {
                boolean[] p = callerPrivileges.computeIfAbsent(r.account.key, k -> new boolean[2]);
                p[0] |= r.signer;
                p[1] |= r.writable;
            }
            List<Ref> calleeRefs = new ArrayList<>(metas.size());
            for (AccountMeta meta : metas) {
                TxAccount account = byKey.get(meta.pubkey());
                boolean[] privileges = callerPrivileges.get(meta.pubkey());
                if (account == null || privileges == null) {
                    logs.add("Instruction references an unknown account " + meta.pubkey());
                    throw new ProgramFailure(InstructionError.NOT_ENOUGH_ACCOUNT_KEYS, "unknown account " + meta.pubkey());
                }
                if (meta.signer() && !privileges[0] && !pdaSigners.contains(meta.pubkey())) {
                    logs.add(meta.pubkey() + "'s signer privilege escalated");
                    throw new ProgramFailure(InstructionError.PRIVILEGE_ESCALATION);
                }
                if (meta.writable() && !privileges[1]) {
                    logs.add(meta.pubkey() + "'s writable privilege escalated");
                    throw new ProgramFailure(InstructionError.PRIVILEGE_ESCALATION);
                }
                calleeRefs.add(new Ref(account, meta.signer(), meta.writable(), calleeId));
            }
            Program callee = programs.get(calleeId);
            if (callee == null) {
                logs.add("Program " + calleeId + " is not deployed");
                throw new ProgramFailure(InstructionError.UNSUPPORTED_PROGRAM_ID);
            }
            units += invokeProgram(callee, calleeRefs, data.clone(), height + 1);
        }
    }

    /** An account under one invocation's privileges; mutations are checked against that invocation's program. */
    private static final class Ref implements AccountRef {
        final TxAccount account;
        final boolean signer;
        final boolean writable;
        final Pubkey programId;

        Ref(TxAccount account, boolean signer, boolean writable, Pubkey programId) {
            this.account = account;
            this.signer = signer;
            this.writable = writable;
            this.programId = programId;
        }

        @Override public Pubkey key() { return account.key; }
        @Override public boolean isSigner() { return signer; }
        @Override public boolean isWritable() { return writable; }
        @Override public boolean isExecutable() { return account.executable; }
        @Override public long lamports() { return account.lamports; }
        @Override public Pubkey owner() { return account.owner; }
        @Override public byte[] data() { return account.data.clone(); }
        @Override public int dataLength() { return account.data.length; }

        @Override public byte[] read(int offset, int length) {
            if (offset < 0 || length < 0 || offset + length > account.data.length) {
                throw new ProgramFailure(InstructionError.ACCOUNT_DATA_TOO_SMALL,
                        "read [" + offset + ", +" + length + ") of " + account.data.length + " B in " + account.key);
            }
            return Arrays.copyOfRange(account.data, offset, offset + length);
        }

        private void checkDataChange() {
            if (account.executable) throw new ProgramFailure(InstructionError.EXECUTABLE_DATA_MODIFIED);
            if (!writable) throw new ProgramFailure(InstructionError.READONLY_DATA_MODIFIED, account.key.toBase58());
            if (!account.owner.equals(programId)) {
                throw new ProgramFailure(InstructionError.EXTERNAL_ACCOUNT_DATA_MODIFIED, account.key.toBase58());
            }
        }

        @Override public void setData(byte[] data) {
            checkDataChange();
            if (data.length > 10 * 1024 * 1024) throw new ProgramFailure(InstructionError.INVALID_REALLOC);
            account.data = data.clone();
            account.dataCopied = true;
        }

        @Override public void write(int offset, byte[] bytes) {
            checkDataChange();
            if (offset < 0 || offset + bytes.length > account.data.length) {
                throw new ProgramFailure(InstructionError.ACCOUNT_DATA_TOO_SMALL,
                        "write [" + offset + ", +" + bytes.length + ") of " + account.data.length + " B in " + account.key);
            }
            System.arraycopy(bytes, 0, account.writableData(), offset, bytes.length);
        }

        @Override public void setLamports(long lamports) {
            if (lamports < 0) throw new ProgramFailure(InstructionError.ARITHMETIC_OVERFLOW, "negative balance");
            if (lamports == account.lamports) return;
            if (!writable) throw new ProgramFailure(InstructionError.READONLY_LAMPORT_CHANGE, account.key.toBase58());
            if (account.executable) throw new ProgramFailure(InstructionError.EXECUTABLE_DATA_MODIFIED);
            if (lamports < account.lamports && !account.owner.equals(programId)) {
                throw new ProgramFailure(InstructionError.EXTERNAL_ACCOUNT_LAMPORT_SPEND, account.key.toBase58());
            }
            account.lamports = lamports;
        }

        @Override public void setOwner(Pubkey newOwner) {
            if (newOwner.equals(account.owner)) return;
            if (!writable || account.executable || !account.owner.equals(programId)) {
                throw new ProgramFailure(InstructionError.MODIFIED_PROGRAM_ID, account.key.toBase58());
            }
            for (byte b : account.data) {
                if (b != 0) throw new ProgramFailure(InstructionError.MODIFIED_PROGRAM_ID, "data of " + account.key + " is not zeroed");
            }
            account.owner = newOwner;
        }
    }
}
