package psyche.frames;

import org.junit.jupiter.api.Test;
import psyche.config.RunConfigs;
import psyche.config.Validation;
import tech.tablesaw.api.Table;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Frames_ViolationsTest {
    @Test
    void oneRowPerFindingWithKeyPathAndFix() {
        Table t = Frames.violations(Validation.check(RunConfigs.read(Path.of("../notebooks/configs/tiny.toml"))));
        assertEquals(1, t.rowCount(), t.print());
        assertEquals("WARNING", t.stringColumn("severity").get(0));
        assertEquals("model.LLM.data_location.Local", t.stringColumn("key_path").get(0));
        assertEquals(5, t.columnCount());
    }
}
