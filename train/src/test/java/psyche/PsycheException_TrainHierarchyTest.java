package psyche;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import psyche.train.Training;

/**
 * One error model across modules: the training module's exception types have {@link PsycheException} as their root
 * too, with the same list of reasoned exceptions (DisTrO's wire error, ResultsExchange's private TooLarge).
 */
class PsycheException_TrainHierarchyTest {
    @Test void everyExceptionTypeOfTheTrainingModuleExtendsTheRoot() throws Exception {
        List<String> throwables = new ArrayList<>();
        List<String> strays = PsycheException_HierarchyTest.strays(Training.class, throwables);
        assertTrue(throwables.contains("psyche.train.TrainingException"), "found the training module's exception types: " + throwables);
        assertEquals(List.of(), strays, "exception types that do not extend psyche.PsycheException");
    }
}
