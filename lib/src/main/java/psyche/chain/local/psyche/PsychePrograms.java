package psyche.chain.local.psyche;

import java.util.List;

import psyche.chain.ProgramIds;
import psyche.chain.local.Program;

/** Psyche's three programs for the local chain, at the addresses {@code ids} names. */
public final class PsychePrograms {
    private PsychePrograms() {}

    /** Coordinator, authorizer and treasurer, calling each other (and SPL token/ATA) at {@code ids}. */
    public static List<Program> all(ProgramIds ids) {
        return List.of(new CoordinatorProgram(ids), new AuthorizerProgram(ids), new TreasurerProgram(ids));
    }

    /**
     * As {@link #all(ProgramIds)}, the coordinator taking its round seeds from the run's logical time (base, epoch,
     * step) when {@code logicalSeedBase} is present ({@link CoordinatorProgram#CoordinatorProgram(ProgramIds,
     * java.util.OptionalLong)}).
     */
    public static List<Program> all(ProgramIds ids, java.util.OptionalLong logicalSeedBase) {
        return List.of(new CoordinatorProgram(ids, logicalSeedBase), new AuthorizerProgram(ids), new TreasurerProgram(ids));
    }

    /** The three programs at their mainnet/devnet addresses. */
    public static List<Program> mainnet() { return all(ProgramIds.MAINNET); }
}
