package psyche.kernel;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class CellSource_ParseTest {
    @Test
    void plainJava_isOneCodePartAtOffsetZero() {
        CellSource cell = CellSource.parse("int x = 1;\nx + 1");
        assertEquals(List.of(new CellSource.Code("int x = 1;\nx + 1", 0)), cell.parts());
    }

    @Test
    void lineMagics_splitTheCellAndKeepOffsets() {
        String text = "int a = 1;\n%maven g:a:1 g:b:2\na + 1";
        CellSource cell = CellSource.parse(text);
        assertEquals(3, cell.parts().size());
        CellSource.LineMagic magic = assertInstanceOf(CellSource.LineMagic.class, cell.parts().get(1));
        assertEquals("maven", magic.name());
        assertEquals(List.of("g:a:1", "g:b:2"), magic.args());
        CellSource.Code last = assertInstanceOf(CellSource.Code.class, cell.parts().get(2));
        assertEquals("a + 1", last.source());
        assertEquals(text.indexOf("a + 1"), last.offset());
        assertEquals(3, cell.lineOf(last.offset()));
    }

    @Test
    void cellMagic_takesTheWholeBody() {
        CellSource cell = CellSource.parse("%%time\nint t = 2;\nt");
        CellSource.CellMagic magic = assertInstanceOf(CellSource.CellMagic.class, cell.parts().get(0));
        assertEquals("time", magic.name());
        assertEquals("int t = 2;\nt", magic.body());
        assertEquals(7, magic.bodyOffset());
    }

    @Test
    void percentInsideAnExpression_isNotAMagic() {
        assertEquals(1, CellSource.parse("int r = 7\n  % 3;").parts().size());
    }

    @Test
    void withoutMagics_blanksMagicLinesKeepingLength() {
        String text = "%classpath\nint x;";
        String plain = CellSource.withoutMagics(text);
        assertEquals(text.length(), plain.length());
        assertEquals("          \nint x;", plain);
    }

    @Test
    void lineAndColumn_areOneBased() {
        CellSource cell = CellSource.parse("ab\ncd");
        assertEquals(2, cell.lineOf(4));
        assertEquals(2, cell.columnOf(4));
        assertEquals("cd", cell.lineText(4));
    }
}
