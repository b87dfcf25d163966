package psyche;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import psyche.chain.ChainDecodeException;
import psyche.chain.KeypairException;
import psyche.chain.local.MalformedTransactionException;
import psyche.chain.rpc.BlockhashExpiredException;
import psyche.chain.rpc.RpcException;
import psyche.coordinator.CoordinatorError;
import psyche.coordinator.CoordinatorException;
import psyche.coordinator.ProgramError;
import psyche.coordinator.ProgramException;
import psyche.ops.OpsException;

/** One error model: every exception type the library declares has {@link PsycheException} as its root, with a hint. */
class PsycheException_HierarchyTest {
    /**
     * Exceptions that keep another root, each for a reason: private control flow inside a server (never leaves it),
     * and DisTrO's wire error, an IllegalArgumentException its receivers catch as such (psyche.train is being
     * reshaped in parallel).
     */
    private static final Map<String, String> OTHER_ROOT = Map.of(
            "psyche.chain.local.RpcServer$RpcError", "JSON-RPC error reply, caught inside RpcServer",
            "psyche.net.HttpEdge$Refused", "checked, caught inside the HTTP edge (answered 408/413)",
            "psyche.train.distro.DistroWireException", "an IllegalArgumentException by contract",
            "psyche.train.chain.ResultsExchange$TooLarge", "private, caught inside ResultsExchange (the peer is marked misbehaving)",
            "psyche.config.InputFiles$Refused", "a checked IOException its callers turn into ConfigException/KeypairException");

    @Test void everyExceptionTypeOfTheLibraryExtendsTheRoot() throws Exception {
        List<String> throwables = new ArrayList<>();
        List<String> strays = strays(PsycheException.class, throwables);
        assertTrue(throwables.size() >= 15, "found the library's exception types: " + throwables);
        assertEquals(List.of(), strays, "exception types that do not extend psyche.PsycheException");
    }

    /**
     * Scans the compiled classes of the module that holds {@code anyClassOfTheModule} (its class folder); adds every
     * throwable type to {@code throwables} and returns those that neither extend {@link PsycheException} nor are
     * named in {@link #OTHER_ROOT} (one list for every module). Each module's test calls it for its own classes.
     */
    static List<String> strays(Class<?> anyClassOfTheModule, List<String> throwables) throws Exception {
        Path classes = Path.of(anyClassOfTheModule.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> strays = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes.resolve("psyche"))) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                String name = classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type;
                try {
                    type = Class.forName(name, false, anyClassOfTheModule.getClassLoader());
                } catch (LinkageError | ClassNotFoundException optionalDependency) {
                    continue; // e.g. a class that needs natives absent here; not an exception type of ours
                }
                if (!Throwable.class.isAssignableFrom(type) || type == PsycheException.class) continue;
                throwables.add(name);
                if (!PsycheException.class.isAssignableFrom(type) && !OTHER_ROOT.containsKey(name)) strays.add(name);
            }
        }
        return strays;
    }

    @Test void hintsSayWhatToDoNext() {
        assertEquals(CoordinatorError.Halted.hint(), new CoordinatorException(CoordinatorError.Halted, "").hint());
        assertEquals(ProgramError.UpdateConfigNotHalted.hint(), new ProgramException(ProgramError.UpdateConfigNotHalted, "").hint());
        for (OpsException.Reason r : OpsException.Reason.values()) {
            String hint = new OpsException(r, "x").hint();
            assertFalse(hint.isBlank(), r.name());
        }
        assertTrue(new OpsException(OpsException.Reason.NOT_HALTED, "x").hint().contains("run-manager set-paused"));
        assertTrue(new RpcException("timeout", 0, true).hint().contains("run-manager doctor"));
        assertTrue(new BlockhashExpiredException("sig", 1, 2).hint().contains("fresh blockhash"));
        assertTrue(new KeypairException("bad").hint().contains("run-manager keygen new"));
        assertTrue(new ChainDecodeException("bad").hint().contains("run-manager doctor"));
        assertTrue(new MalformedTransactionException("bad") instanceof PsycheException);
        assertEquals(PsycheException.REPORT_HINT, new PsycheException("x").hint());
        assertEquals("do y", new PsycheException("x", "do y", null).hint());
    }

    @Test void messagesAndCausesAreKept() {
        IllegalStateException cause = new IllegalStateException("inner");
        PsycheException e = new PsycheException("outer", cause);
        assertEquals("outer", e.getMessage());
        assertEquals(cause, e.getCause());
        assertEquals(null, new PsycheException("alone").getCause());
    }
}
