package psyche.chain;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import psyche.coordinator.Committee;
import psyche.coordinator.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Instruction data decoders: random instructions round-trip; mangled data only ever gives the typed error. */
class InstructionDecode_FuzzTest {

    static List<byte[]> sampleData(Random r) {
        Pubkey a = RandomStates.key(r), b = RandomStates.key(r);
        byte[] merkle = new byte[32];
        r.nextBytes(merkle);
        List<byte[]> out = new ArrayList<>();
        out.add(new CoordinatorInstructions.InitCoordinator(a, b, RandomStates.str(r, 32), RandomStates.str(r, 20)).data());
        out.add(new CoordinatorInstructions.Update(Optional.of(new psyche.config.RunMetadata(RandomStates.str(r, 64),
                RandomStates.str(r, 280), r.nextLong(), r.nextLong())), Optional.of(RandomStates.config(r)),
                Optional.of(RandomStates.model(r)), Optional.of(new Progress(r.nextInt(65536), RandomStates.u32(r), r.nextLong()))).data());
        out.add(new CoordinatorInstructions.SetFutureEpochRates(Optional.of(r.nextLong()), Optional.of(r.nextLong())).data());
        out.add(new CoordinatorInstructions.JoinRun(new NodeIdentity(a, b)).data());
        out.add(new CoordinatorInstructions.WitnessIx(new WitnessProof(r.nextLong(), r.nextLong(), r.nextBoolean()),
                RandomStates.bloom(r), RandomStates.bloom(r), merkle, new WitnessMetadata(RandomStates.u32(r), r.nextFloat(),
                r.nextFloat(), r.nextFloat(), List.of(new WitnessMetadata.Eval("mmlu", r.nextFloat())), List.of(r.nextInt()),
                r.nextInt(256), r.nextFloat())).data());
        out.add(new CoordinatorInstructions.HealthCheck(new NodeIdentity(a, b), Committee.values()[r.nextInt(3)], r.nextLong(), r.nextLong()).data());
        out.add(CoordinatorInstructions.CheckpointIx.hub(new psyche.config.HubRepo(RandomStates.str(r, 64), RandomStates.optS(r, 64))).data());
        out.add(new AuthorizerInstructions.GranteeUpdate(r.nextBoolean(), List.of(a, b)).data());
        out.add(new AuthorizerInstructions.Create(a, RandomStates.str(r, 30).getBytes()).data());
        out.add(new TreasurerInstructions.RunCreate(r.nextLong(), RandomStates.str(r, 32), "v", a, b).data());
        out.add(new TreasurerInstructions.RunUpdate(Optional.empty(), Optional.of(RandomStates.config(r)),
                Optional.of(RandomStates.model(r)), Optional.empty(), Optional.of(r.nextLong()), Optional.empty(),
                Optional.of(r.nextBoolean()), Optional.of("x")).data());
        out.add(new TreasurerInstructions.ParticipantClaim(r.nextLong()).data());
        return out;
    }

    static Object decodeAny(byte[] data) {
        ChainDecodeException last = null;
        try { return CoordinatorInstructions.decode(data); } catch (InstructionDecodeException e) { last = e; }
        try { return AuthorizerInstructions.decode(data); } catch (InstructionDecodeException e) { last = e; }
        try { return TreasurerInstructions.decode(data); } catch (InstructionDecodeException e) { last = e; }
        throw last;
    }

    static byte[] reencode(Object ix) {
        if (ix instanceof CoordinatorInstructions.Ix c) return c.data();
        if (ix instanceof AuthorizerInstructions.Ix a) return a.data();
        return ((TreasurerInstructions.Ix) ix).data();
    }

    @Property(tries = 40)
    void decodeThenEncodeIsIdentity(@ForAll long seed) {
        for (byte[] data : sampleData(new Random(seed))) {
            Object ix = decodeAny(data);
            assertArrayEquals(data, reencode(ix), ix.toString());
        }
    }

    /** Found by CI: a flipped byte made repo_id invalid UTF-8, which a lossy decoder turned into 66 bytes of text. */
    @net.jqwik.api.Example
    void invalidUtf8InAFixedStringIsADecodeError() {
        mangledDataOnlyGivesTheTypedError(50160L);
    }

    @Property(tries = 300)
    void mangledDataOnlyGivesTheTypedError(@ForAll long seed) {
        Random r = new Random(seed);
        List<byte[]> samples = sampleData(r);
        byte[] d = samples.get(r.nextInt(samples.size()));
        byte[] mangled = switch (r.nextInt(4)) {
            case 0 -> java.util.Arrays.copyOf(d, r.nextInt(d.length));          // truncated
            case 1 -> java.util.Arrays.copyOf(d, d.length + 1 + r.nextInt(8));  // oversized
            case 2 -> { byte[] x = d.clone(); x[8 + r.nextInt(Math.max(1, x.length - 8))] ^= (byte) (1 + r.nextInt(255)); yield x; }
            default -> { byte[] x = new byte[r.nextInt(600)]; r.nextBytes(x); yield x; }
        };
        try {
            // a flipped byte inside a value can still be a valid instruction; it must then re-encode to its bytes
            Object ix = decodeAny(mangled);
            assertEquals(ix, decodeAny(reencode(ix)));
        } catch (InstructionDecodeException expected) {
            assertNotNull(expected.getMessage());
        }
    }
}
