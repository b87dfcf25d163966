package psyche.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import psyche.chain.AuthorizerInstructions;
import psyche.chain.CoordinatorInstructions;
import psyche.chain.Instruction;
import psyche.chain.Keypair;
import psyche.chain.NativeInstructions;
import psyche.chain.Pdas;
import psyche.chain.ProgramIds;
import psyche.chain.Transaction;
import psyche.chain.TreasurerInstructions;
import psyche.chain.rpc.RpcClient;
import psyche.chain.rpc.RpcTypes.AccountInfo;
import psyche.chain.rpc.TransactionFailedException;
import psyche.coordinator.ProgramError;
import psyche.coordinator.Pubkey;

/**
 * What every operation needs: an RPC client (commitment, retries, fallback), the program ids, the PDA finder and
 * the instruction builders. {@link #send} signs, sends and confirms exactly once, returns the signature with the
 * program logs, and turns a program error into an {@link OpsException} naming the error with a hint.
 */
public final class Cluster implements AutoCloseable {
    private final RpcClient rpc;
    private final ProgramIds ids;
    private final boolean ownsRpc;
    private final Pdas pdas;

    public Cluster(RpcClient rpc, ProgramIds ids, boolean ownsRpc) {
        this.rpc = Objects.requireNonNull(rpc, "rpc");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.ownsRpc = ownsRpc;
        this.pdas = new Pdas(ids);
    }

    /** A cluster at {@code urlOrMoniker} (localhost, devnet, mainnet-beta or a URL) with Psyche's program ids. */
    public static Cluster connect(String urlOrMoniker) {
        return new Cluster(RpcClient.connect(urlOrMoniker), ProgramIds.MAINNET, true);
    }

    public RpcClient rpc() { return rpc; }
    public ProgramIds ids() { return ids; }
    public Pdas pdas() { return pdas; }
    public CoordinatorInstructions coordinator() { return new CoordinatorInstructions(ids); }
    public AuthorizerInstructions authorizer() { return new AuthorizerInstructions(ids); }
    public TreasurerInstructions treasurer() { return new TreasurerInstructions(ids); }
    public NativeInstructions natives() { return new NativeInstructions(ids); }

    /** The account at {@code address}, or empty when none exists. */
    public Optional<AccountInfo> account(Pubkey address) {
        return Optional.ofNullable(rpc.getAccountInfo(address.toBase58()));
    }

    /** A landed transaction: its signature and the program logs the chain recorded. */
    public record Sent(String signature, List<String> logs) {
        public Sent { logs = List.copyOf(logs); }
        /** What run-manager prints: the signature, then the logs. */
        public String render() {
            StringBuilder b = new StringBuilder("Signature: ").append(signature);
            for (String l : logs) b.append("\n  ").append(l);
            return b.toString();
        }
    }

    /**
     * Signs with {@code payer} (fee payer) and {@code others}, sends with preflight and confirms at the client's
     * commitment. {@code what} names the operation in error messages.
     */
    public Sent send(String what, Keypair payer, List<Instruction> instructions, Keypair... others) {
        Keypair[] signers = new Keypair[others.length + 1];
        signers[0] = payer;
        System.arraycopy(others, 0, signers, 1, others.length);
        try {
            String signature = rpc.sendAndConfirm(bh -> Transaction.build(payer.publicKey(), instructions,
                    bh.blockhash(), signers).toWire());
            return new Sent(signature, logsOf(signature));
        } catch (TransactionFailedException e) {
            throw translate(what, e, instructions);
        }
    }

    private List<String> logsOf(String signature) {
        List<String> logs = new ArrayList<>();
        try {
            JsonNode tx = rpc.getTransaction(signature);
            if (tx != null) tx.path("meta").path("logMessages").forEach(l -> logs.add(l.asText()));
        } catch (RuntimeException ignored) {
            // logs are informative only: a node that does not keep history still confirmed the transaction
        }
        return logs;
    }

    /** A program error as an {@link OpsException}: the error's name, what it means and what to do next. */
    static OpsException translate(String what, TransactionFailedException e, List<Instruction> instructions) {
        String name = e.errorName();
        Long code = e.customCode();
        String hint = null;
        OpsException.Reason reason = OpsException.Reason.PROGRAM_ERROR;
        if (code != null && code >= ProgramError.FIRST_CODE && ProgramIds.COORDINATOR.toBase58().equals(e.programId())) {
            ProgramError pe = ProgramError.fromCode(code.intValue());
            if (pe != null) {
                hint = pe.hint();
                if (pe == ProgramError.UpdateConfigNotHalted || pe == ProgramError.CloseCoordinatorNotHalted) {
                    reason = OpsException.Reason.NOT_HALTED;
                }
            }
        }
        if (hint == null && name != null) hint = hintFor(name);
        // join_run's authorization account missing, foreign or not valid for the signer: no retry can fix that
        if (isJoin(e, instructions) && name != null && (name.equals("ConstraintSeeds") || name.equals("AccountNotInitialized")
                || name.equals("ConstraintRaw") || name.equals("AccountOwnedByWrongProgram"))) {
            reason = OpsException.Reason.NOT_AUTHORIZED;
            hint = "the signer holds no valid join authorization from the run's join authority; ask it to run "
                    + "join-authorization-create --authorizer <your key> (not retried)";
        }
        String message = what + " failed: " + (name != null ? name : String.valueOf(e.err()))
                + (code != null ? " (custom program error " + code + ")" : "")
                + (e.programId() != null ? " in program " + e.programId() : "")
                + (hint != null ? "; " + hint : "");
        return new OpsException(reason, message, e.logs(), e);
    }

    private static boolean isJoin(TransactionFailedException e, List<Instruction> instructions) {
        Integer index = e.instructionIndex();
        if (index == null || index < 0 || index >= instructions.size()) return false;
        Instruction ix = instructions.get(index);
        byte[] disc = psyche.chain.Discriminators.instruction("join_run");
        byte[] data = ix.data();
        return data.length >= 8 && java.util.Arrays.equals(java.util.Arrays.copyOf(data, 8), disc);
    }

    private static String hintFor(String name) {
        return switch (name) {
            case "AccountNotInitialized" -> "an account the instruction needs does not exist (a missing join authorization, run or participant): create it first";
            case "ConstraintSeeds" -> "an account is not at the address derived from its seeds (wrong run id, grantor or grantee)";
            case "ConstraintHasOne", "ConstraintAddress" -> "an account does not belong to this run or authority: check --run-id and the wallet";
            case "AccountNotSigner", "MissingRequiredSignature" -> "the wallet that must sign did not: use the right --wallet-private-key-path";
            case "InsufficientFunds" -> "the paying token account or wallet holds too little: fund it first";
            case "AccountAlreadyInUse", "AccountDiscriminatorAlreadySet" -> "the account already exists: nothing to create";
            default -> null;
        };
    }

    @Override public void close() {
        if (ownsRpc) rpc.close();
    }

    @Override public String toString() { return "Cluster[" + rpc.endpoints() + "]"; }
}
