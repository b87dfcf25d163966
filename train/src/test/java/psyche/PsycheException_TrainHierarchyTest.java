package psyche;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import psyche.train.Training;

/** One error model across modules: the training module's exception types have {@link PsycheException} as their root too. */
class PsycheException_TrainHierarchyTest {
    /**
     * Exceptions that keep another root, each for a reason: DisTrO's wire error, an IllegalArgumentException its
     * receivers catch as such, and private control flow inside the results exchange.
     */
    private static final Map<String, String> OTHER_ROOT = Map.of(
            "psyche.train.distro.DistroWireException", "an IllegalArgumentException by contract",
            "psyche.train.chain.ResultsExchange$TooLarge", "private, caught inside ResultsExchange (the peer is marked misbehaving)");

    @Test void everyExceptionTypeOfTheTrainingModuleExtendsTheRoot() throws Exception {
        List<String> throwables = new ArrayList<>();
        List<String> strays = PsycheException_HierarchyTest.strays(Training.class, OTHER_ROOT, throwables);
        assertTrue(throwables.contains("psyche.train.TrainingException"), "found the training module's exception types: " + throwables);
        assertEquals(List.of(), strays, "exception types that do not extend psyche.PsycheException");
    }
}
