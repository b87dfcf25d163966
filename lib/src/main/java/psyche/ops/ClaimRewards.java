package psyche.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import psyche.chain.Instruction;
import psyche.chain.Keypair;
import psyche.chain.Participant;
import psyche.coordinator.Pubkey;
import psyche.coordinator.SolanaClient;

/**
 * treasurer-claim-rewards: creates the wallet's token account and Participant when missing and claims
 * {@code min(unclaimed points, treasury)} (or exactly the points asked for, refusing more than earned).
 */
public final class ClaimRewards {
    private ClaimRewards() {}

    /** Amounts in points (= the collateral mint's native units); {@code decimals}: the mint's. */
    public record Result(String runId, Pubkey user, long earned, long claimedBefore, long claimed, long treasuryLeft,
                         Cluster.Sent sent, int decimals) {
        /** In the mint's units. */
        public String render() { return render(psyche.display.TokenUnits.ofMint(decimals)); }

        /** In {@code units} ({@link psyche.display.TokenUnits#NATIVE}: points). */
        public String render(psyche.display.TokenUnits units) {
            String nat = units.equals(psyche.display.TokenUnits.NATIVE) ? ""
                    : " (" + psyche.display.TokenUnits.NATIVE.formatWithName(claimed) + ")";
            return sent.render() + "\nClaimed " + units.formatWithName(claimed) + nat + " from run '" + runId + "' for " + user
                    + "; earned " + units.formatWithName(earned) + ", claimed so far " + units.formatWithName(claimedBefore + claimed)
                    + ", treasury left " + units.formatWithName(treasuryLeft);
        }
    }

    /** Claims {@code points} when given, else everything claimable that the treasury can pay. */
    public static Result execute(Cluster c, Keypair user, String runId, OptionalLong treasurerIndex, OptionalLong points) {
        RunSnapshot run = RunSnapshot.fetch(c, runId, treasurerIndex);
        RunSnapshot.Treasury t = run.treasury().orElseThrow(() -> TopUpRewards.notTreasurer(runId));
        long earned = run.state().clientsState().clients().stream().filter(cl -> cl.id().signer().equals(user.publicKey()))
                .mapToLong(SolanaClient::earned).findFirst().orElse(0);
        Pubkey participant = c.pdas().participant(t.address(), user.publicKey()).address();
        var participantInfo = c.account(participant);
        long claimedBefore = participantInfo.map(a -> Participant.decode(a.data()).claimedEarnedPoints()).orElse(0L);
        long unclaimed = Math.max(0, earned - claimedBefore);
        long amount;
        if (points.isPresent()) {
            amount = points.getAsLong();
            if (amount <= 0) throw new OpsException(OpsException.Reason.INVALID, "claim a positive number of points");
            if (amount > unclaimed) {
                throw new OpsException(OpsException.Reason.INSUFFICIENT, "cannot claim " + amount + " points from run '" + runId
                        + "': " + user.publicKey() + " earned " + earned + " and already claimed " + claimedBefore
                        + ", so at most " + unclaimed + " can be claimed");
            }
            if (amount > t.funded()) {
                throw new OpsException(OpsException.Reason.INSUFFICIENT, "cannot claim " + amount + " points from run '" + runId
                        + "': the treasury holds only " + t.funded() + " native units; ask the run owner to top it up");
            }
        } else {
            amount = Math.min(unclaimed, t.funded());
            if (amount == 0) {
                throw new OpsException(OpsException.Reason.NOTHING_TO_DO, unclaimed == 0
                        ? "nothing to claim from run '" + runId + "': " + user.publicKey() + " earned " + earned + " and claimed " + claimedBefore
                        : "the treasury of run '" + runId + "' is empty (" + unclaimed + " points unclaimed); ask the run owner to top it up");
            }
        }
        Pubkey mint = t.run().collateralMint();
        List<Instruction> ixs = new ArrayList<>();
        Pubkey userAta = c.pdas().associatedTokenAccount(user.publicKey(), mint).address();
        if (c.account(userAta).isEmpty()) {
            ixs.add(c.natives().createAssociatedTokenAccount(user.publicKey(), user.publicKey(), mint, true));
        }
        if (participantInfo.isEmpty()) ixs.add(c.treasurer().participantCreate(user.publicKey(), user.publicKey(), t.address()));
        ixs.add(c.treasurer().participantClaim(user.publicKey(), t.address(), mint, run.accountAddress(), amount));
        Cluster.Sent sent = c.send("treasurer-claim-rewards from run '" + runId + "'", user, ixs);
        return new Result(runId, user.publicKey(), earned, claimedBefore, amount, t.funded() - amount, sent, t.mint().decimals());
    }
}
