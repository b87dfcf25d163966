package psyche.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;

import org.junit.jupiter.api.Test;

import psyche.coordinator.Pubkey;

/**
 * The one catalog of program errors. Codes and names as Psyche's programs and Anchor declare them: the coordinator's
 * {@code ProgramError} (6000 + declaration order: 6001 UpdateConfigNotHalted, 6004 ConfigSanityCheckFailed, spec §6),
 * the authorizer's and treasurer's errors, Anchor's {@code ErrorCode} (lang/src/error.rs: 3012 AccountNotInitialized),
 * SPL token's {@code TokenError} (1 InsufficientFunds).
 */
class ProgramErrors_CatalogTest {
    private static String mainnet(Pubkey program, long code) { return ProgramErrors.name(program.toBase58(), code, List.of()); }

    @Test void namesEachProgramsOwnCodes() {
        assertEquals("UpdateConfigNotHalted", mainnet(ProgramIds.COORDINATOR, 6001));
        assertEquals("ConfigSanityCheckFailed", mainnet(ProgramIds.COORDINATOR, 6004));
        assertEquals("AuthorizationActiveIsTrue", mainnet(ProgramIds.AUTHORIZER, 6000));
        assertEquals("RunIdInvalidLength", mainnet(ProgramIds.TREASURER, 6001));
        assertEquals("InsufficientFunds", mainnet(ProgramIds.TOKEN, 1));
        assertEquals("AccountAlreadyInUse", mainnet(ProgramIds.SYSTEM, 0));
        assertEquals("InvalidOwner", mainnet(ProgramIds.ASSOCIATED_TOKEN, 0));
    }

    @Test void anchorFrameworkCodesApplyToAnchorProgramsOnly() {
        assertEquals("AccountNotInitialized", mainnet(ProgramIds.COORDINATOR, 3012));
        assertEquals("ConstraintSeeds", mainnet(ProgramIds.TREASURER, 2006));
        assertNull(mainnet(ProgramIds.TOKEN, 3012), "SPL token is no Anchor program");
        assertEquals("fix the [config] table (see the validation messages) and update again",
                ProgramErrors.lookup(ProgramIds.MAINNET, ProgramIds.COORDINATOR.toBase58(), 6004).orElseThrow().hint());
    }

    @Test void otherDeploymentsAreKnownByTheirIdsOrTheirAnchorLogLine() {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) 7);
        Pubkey forked = Pubkey.of(key); // a coordinator deployed at another address
        ProgramIds ids = ProgramIds.MAINNET.withCoordinator(forked);
        assertEquals("ConfigSanityCheckFailed", ProgramErrors.lookup(ids, forked.toBase58(), 6004).orElseThrow().name());
        assertTrue(ProgramErrors.lookup(ProgramIds.MAINNET, forked.toBase58(), 6004).isEmpty());
        List<String> logs = List.of("Program " + forked + " invoke [1]",
                "Program log: AnchorError occurred. Error Code: SomethingElse. Error Number: 6004. Error Message: x.",
                "Program " + forked + " failed: custom program error: 0x1774");
        assertEquals("SomethingElse", ProgramErrors.name(forked.toBase58(), 6004, logs));
        assertNull(ProgramErrors.name(forked.toBase58(), 6004, List.of()));
        assertEquals("AccountNotInitialized", ProgramErrors.name(forked.toBase58(), 3012, List.of()));
    }

    @Test void theCatalogIsFixedNotFilledByRegistration() {
        for (Method m : ProgramErrors.class.getDeclaredMethods()) {
            boolean mutator = m.getName().startsWith("register") || m.getName().startsWith("put") || m.getName().startsWith("add");
            assertTrue(!mutator || !Modifier.isPublic(m.getModifiers()), "public mutator " + m);
        }
        List<ProgramErrors.Entry> all = ProgramErrors.all();
        assertEquals(ProgramErrors.Source.COORDINATOR, all.get(0).source());
        assertTrue(all.stream().anyMatch(e -> e.source() == ProgramErrors.Source.ANCHOR && e.code() == 100
                && e.name().equals("InstructionMissing") && e.message().equals("8 byte instruction identifier not provided")));
        assertTrue(all.size() > 80, "coordinator, authorizer, treasurer, Anchor, system, token, ATA: " + all.size());
    }
}
