package cpi.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TextTableTest {
    @Test
    void rendersAlignedColumnsNumbersRightAndUnknownsAsDash() {
        TextTable t = new TextTable("run", "dataset", "peak", "step", "inversion");
        t.row("baseline", "cf_capitals", 0.84, 300L, true);
        t.row("qk", "cf_quotes", Double.NaN, 40L, null);
        assertEquals(""
                + "run       dataset       peak  step  inversion\n"
                + "--------  -----------  -----  ----  ---------\n"
                + "baseline  cf_capitals  0.840   300  yes\n"
                + "qk        cf_quotes        —    40\n", t.render());
    }

    @Test
    void longCellsAreCutAndWrongRowsRefused() {
        TextTable t = new TextTable("name").maxWidth(6).decimals(1);
        t.row("abcdefghij");
        assertEquals("name\n------\nabcde…\n", t.render());
        assertThrows(IllegalArgumentException.class, () -> t.row("a", "b"));
        assertEquals("  x\n---\n1.5\n", new TextTable("x").decimals(1).row(1.46).render());
    }
}
