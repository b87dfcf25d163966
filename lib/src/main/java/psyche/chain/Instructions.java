package psyche.chain;

import java.util.Objects;

/** Decodes any instruction this project builds into a readable {@link DecodedInstruction}. */
public final class Instructions {
    private final ProgramIds ids;

    public Instructions(ProgramIds ids) { this.ids = Objects.requireNonNull(ids, "ids"); }

    public static Instructions mainnet() { return new Instructions(ProgramIds.MAINNET); }

    public DecodedInstruction decode(Instruction ix) {
        if (ix.programId().equals(ids.coordinator())) {
            CoordinatorInstructions.Ix x = CoordinatorInstructions.decode(ix.data());
            return new DecodedInstruction("coordinator", x.name(), x.args());
        }
        if (ix.programId().equals(ids.authorizer())) {
            AuthorizerInstructions.Ix x = AuthorizerInstructions.decode(ix.data());
            return new DecodedInstruction("authorizer", x.name(), x.args());
        }
        if (ix.programId().equals(ids.treasurer())) {
            TreasurerInstructions.Ix x = TreasurerInstructions.decode(ix.data());
            return new DecodedInstruction("treasurer", x.name(), x.args());
        }
        return new NativeInstructions(ids).decode(ix);
    }
}
