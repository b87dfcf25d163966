package psyche.train;

import org.junit.jupiter.api.Test;
import psyche.reports.Provenance;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With the training module on the class path, a report's provenance names the training stack's versions. */
class Provenance_TrainingVersionsTest {
    @Test void theTrainingStacksVersionsAreReported() {
        Map<String, String> v = Provenance.libraryVersions();
        assertEquals("0.35.1", v.get("DJL"), v.toString());
        assertEquals("0.35.1", v.get("DJL PyTorch engine"), v.toString());
        assertTrue(v.get("PyTorch natives") != null && v.get("PyTorch natives").startsWith("2.7.1"), v.toString());
    }
}
