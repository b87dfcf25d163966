package psyche.ops;

import java.util.Optional;
import java.util.OptionalLong;

import psyche.chain.CoordinatorAccount;
import psyche.chain.CoordinatorInstance;
import psyche.chain.TokenMint;
import psyche.chain.TreasurerRun;
import psyche.chain.rpc.RpcTypes.AccountInfo;
import psyche.coordinator.InstanceState;
import psyche.coordinator.Pubkey;
import psyche.coordinator.SolanaClient;
import psyche.frames.TreasuryFigures;

/**
 * A run as read from the chain in one go: its instance (authorities), its coordinator account (state) and, for a
 * treasurer run, the treasurer's Run, the collateral mint and the Run's token balance.
 */
public record RunSnapshot(String runId, Pubkey instanceAddress, CoordinatorInstance instance, Pubkey accountAddress,
                          CoordinatorAccount account, Optional<Treasury> treasury) {

    /** A treasurer run's figures: collateral in native units, points raw (1 native unit per point). */
    public record Treasury(Pubkey address, TreasurerRun run, TokenMint mint, Pubkey collateralAccount, long funded) {
        public double toUi(long native_) { return mint.toUi(native_); }
    }

    public InstanceState state() { return account.state(); }

    public boolean isTreasurerRun() { return treasury.isPresent(); }

    /** The key allowed to change the run: the treasurer Run's main authority for a treasurer run. */
    public Pubkey mainAuthority() {
        return treasury.map(t -> t.run().mainAuthority()).orElse(instance.mainAuthority());
    }

    public long sumEarned() { return state().clientsState().clients().stream().mapToLong(SolanaClient::earned).sum(); }

    public long sumSlashed() { return state().clientsState().clients().stream().mapToLong(SolanaClient::slashed).sum(); }

    /** Treasury figures for frames and diagnose, when this is a treasurer run. */
    public Optional<TreasuryFigures> treasuryFigures() {
        return treasury.map(t -> new TreasuryFigures(t.funded(), sumEarned(), t.run().totalClaimedEarnedPoints(),
                state().clientsState().currentEpochRates().earningRateTotalShared()));
    }

    /** Reads a run by id; {@code treasurerIndex} empty = the default index (sha256 of the run id). */
    public static RunSnapshot fetch(Cluster c, String runId, OptionalLong treasurerIndex) {
        Pubkey instanceAddress = c.pdas().coordinatorInstance(runId).address();
        AccountInfo instanceInfo = c.account(instanceAddress).orElseThrow(() -> new OpsException(OpsException.Reason.NOT_FOUND,
                "no run '" + runId + "' on " + c.rpc().endpoints() + " (no coordinator instance at " + instanceAddress
                        + "); check --run-id and --rpc, or create it with create-run"));
        CoordinatorInstance instance = CoordinatorInstance.decode(instanceInfo.data());
        AccountInfo accountInfo = c.account(instance.coordinatorAccount()).orElseThrow(() -> new OpsException(
                OpsException.Reason.NOT_FOUND, "run '" + runId + "' has an instance but no coordinator account at "
                + instance.coordinatorAccount() + "; it was closed or never finished creation"));
        CoordinatorAccount account = CoordinatorAccount.decode(accountInfo.data());
        return new RunSnapshot(runId, instanceAddress, instance, instance.coordinatorAccount(), account,
                treasury(c, runId, treasurerIndex));
    }

    /** The treasurer side, present iff the Run PDA holds lamports (run-manager's rule). */
    static Optional<Treasury> treasury(Cluster c, String runId, OptionalLong treasurerIndex) {
        long index = treasurerIndex.isPresent() ? treasurerIndex.getAsLong() : psyche.chain.Pdas.defaultTreasurerIndex(runId);
        Pubkey runAddress = c.pdas().treasurerRun(index).address();
        Optional<AccountInfo> info = c.account(runAddress);
        if (info.isEmpty() || info.get().lamports() == 0) {
            if (treasurerIndex.isPresent()) {
                throw new OpsException(OpsException.Reason.NOT_A_TREASURER_RUN, "no treasurer run at index "
                        + Long.toUnsignedString(index) + " (" + runAddress + "); drop --treasurer-index or give the right one");
            }
            return Optional.empty();
        }
        TreasurerRun run = TreasurerRun.decode(info.get().data());
        TokenMint mint = TokenMint.decode(c.account(run.collateralMint()).orElseThrow(() -> new OpsException(
                OpsException.Reason.NOT_FOUND, "collateral mint " + run.collateralMint() + " not found")).data());
        Pubkey ata = c.pdas().associatedTokenAccount(runAddress, run.collateralMint()).address();
        long funded = c.account(ata).map(a -> psyche.chain.TokenAccount.decode(a.data()).amount()).orElse(0L);
        return Optional.of(new Treasury(runAddress, run, mint, ata, funded));
    }
}
