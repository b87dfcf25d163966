package psyche.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import psyche.chain.CoordinatorAccountCodec;
import psyche.chain.CoordinatorInstance;
import psyche.chain.CoordinatorInstructions.InitCoordinator;
import psyche.chain.Instruction;
import psyche.chain.Keypair;
import psyche.chain.Pdas;
import psyche.chain.TreasurerInstructions.RunCreate;
import psyche.config.Validation;
import psyche.config.ValidationReport;
import psyche.coordinator.Pubkey;

/**
 * create-run: one transaction that creates the coordinator account (a fresh keypair, 119,160 bytes, owned by the
 * coordinator, rent-exempt) and initializes the run, or, with a collateral mint, the treasurer's {@code run_create}
 * (the treasurer's Run PDA then becomes the coordinator's main authority). main_authority = the payer. Safe to
 * repeat: a run that already exists under this payer is reported, not created twice.
 */
public final class CreateRun {
    private CreateRun() {}

    public record Params(String runId, String clientVersion, Optional<Pubkey> joinAuthority,
                         OptionalLong treasurerIndex, Optional<Pubkey> collateralMint) {
        public Params {
            Inputs.runId(Objects.requireNonNull(runId, "runId")); // printable, at most 32 bytes: refused before anything is sent
            Objects.requireNonNull(clientVersion, "clientVersion");
        }
        public static Params of(String runId, String clientVersion) {
            return new Params(runId, clientVersion, Optional.empty(), OptionalLong.empty(), Optional.empty());
        }
        public Params withJoinAuthority(Pubkey k) { return new Params(runId, clientVersion, Optional.of(k), treasurerIndex, collateralMint); }
        public Params withCollateralMint(Pubkey m) { return new Params(runId, clientVersion, joinAuthority, treasurerIndex, Optional.of(m)); }
        public Params withTreasurerIndex(long i) { return new Params(runId, clientVersion, joinAuthority, OptionalLong.of(i), collateralMint); }
    }

    /** {@code sent} is empty when the run already existed. */
    public record Result(String runId, Pubkey instance, Pubkey account, Optional<Pubkey> treasurerRun,
                         Optional<Cluster.Sent> sent) {
        public String render() {
            StringBuilder b = new StringBuilder();
            sent.ifPresentOrElse(s -> b.append(s.render()).append('\n').append("Created run '").append(runId).append("'"),
                    () -> b.append("Run '").append(runId).append("' already exists (nothing sent)"));
            b.append("\n  coordinator instance: ").append(instance).append("\n  coordinator account:  ").append(account);
            treasurerRun.ifPresent(t -> b.append("\n  treasurer run:        ").append(t));
            return b.toString();
        }
    }

    public static Result execute(Cluster c, Keypair payer, Params p) {
        if (p.treasurerIndex().isPresent() && p.collateralMint().isEmpty()) {
            // run-manager bails before signing (run/create_run.rs:62-67)
            throw new OpsException(OpsException.Reason.INVALID, "cannot create run '" + p.runId() + "': --treasurer-index is set"
                    + " but --treasurer-collateral-mint is not; give the collateral mint for a treasurer run, or drop --treasurer-index");
        }
        ValidationReport report = Validation.checkRunId(p.runId()).plus(Validation.checkClientVersion(p.clientVersion()).violations());
        if (!report.isValid()) {
            throw new OpsException(OpsException.Reason.INVALID, "cannot create run: " + report.render());
        }
        Pubkey instance = c.pdas().coordinatorInstance(p.runId()).address();
        var existing = c.account(instance);
        if (existing.isPresent()) {
            CoordinatorInstance inst = CoordinatorInstance.decode(existing.get().data());
            Optional<Pubkey> treasurerRun = RunSnapshot.treasury(c, p.runId(), p.treasurerIndex()).map(RunSnapshot.Treasury::address);
            Pubkey owner = treasurerRun.isPresent() ? RunSnapshot.treasury(c, p.runId(), p.treasurerIndex()).get().run().mainAuthority() : inst.mainAuthority();
            if (!owner.equals(payer.publicKey())) {
                throw new OpsException(OpsException.Reason.INVALID, "run id '" + p.runId() + "' is taken (main authority "
                        + owner + "); choose another --run-id");
            }
            return new Result(p.runId(), instance, inst.coordinatorAccount(), treasurerRun, Optional.empty());
        }
        Pubkey joinAuthority = p.joinAuthority().orElse(payer.publicKey());
        try (Keypair account = Keypair.generate()) {
            long rent = c.rpc().getMinimumBalanceForRentExemption(CoordinatorAccountCodec.SIZE);
            List<Instruction> ixs = new ArrayList<>();
            ixs.add(c.natives().createAccount(payer.publicKey(), account.publicKey(), rent, CoordinatorAccountCodec.SIZE,
                    c.ids().coordinator()));
            Optional<Pubkey> treasurerRun = Optional.empty();
            if (p.collateralMint().isPresent()) {
                long index = p.treasurerIndex().orElse(Pdas.defaultTreasurerIndex(p.runId()));
                ixs.add(c.treasurer().runCreate(payer.publicKey(), p.collateralMint().get(), account.publicKey(),
                        new RunCreate(index, p.runId(), p.clientVersion(), payer.publicKey(), joinAuthority)));
                treasurerRun = Optional.of(c.pdas().treasurerRun(index).address());
            } else {
                ixs.add(c.coordinator().initCoordinator(payer.publicKey(), account.publicKey(),
                        new InitCoordinator(payer.publicKey(), joinAuthority, p.runId(), p.clientVersion())));
            }
            Cluster.Sent sent = c.send("create-run '" + p.runId() + "'", payer, ixs, account);
            return new Result(p.runId(), instance, account.publicKey(), treasurerRun, Optional.of(sent));
        }
    }
}
