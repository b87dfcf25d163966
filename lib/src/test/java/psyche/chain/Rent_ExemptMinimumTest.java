package psyche.chain;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class Rent_ExemptMinimumTest {
    @Test
    void knownValues() {
        // (128 + 0) × 3480 × 2 = 890,880: the well-known rent-exempt minimum of an empty account
        assertEquals(890_880, Rent.exemptMinimum(0));
        // SPL token account (165 B): 2,039,280 lamports, the figure every wallet shows for a new token account
        assertEquals(2_039_280, Rent.exemptMinimum(TokenAccount.SIZE));
        // coordinator account: (128 + 119,160) × 6960
        assertEquals(830_244_480L, Rent.exemptMinimum(CoordinatorAccountCodec.SIZE));
        assertThrows(IllegalArgumentException.class, () -> Rent.exemptMinimum(-1));
    }
}
