package psyche.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Point 11: UI amounts become native units as run-manager's ui_amount_to_native_amount does
 * (architectures/decentralized/solana-common/src/utils.rs:1-4): {@code (ui * 10^decimals as f64).round() as u64}, f64
 * arithmetic, halves away from zero. Expected values computed with Python's f64 ({@code x * float(10**d)}, then
 * floor + (fraction >= 0.5)).
 */
class PsycheCompat_UiAmountTest {
    @Test void point11_uiAmountsRoundLikeRunManager() {
        assertEquals(123_457, Checks.toNative(0.1234567, 6, "amount")); // finer than 6 decimals: rounded, not refused
        assertEquals(3, Checks.toNative(2.5e-6, 6, "amount")); // 2.5 → 3 (half away from zero)
        assertEquals(2, Checks.toNative(1.5e-6, 6, "amount"));
        assertEquals(1_000_001, Checks.toNative(1.0000005, 6, "amount")); // 1000000.5000000001
        assertEquals(1_235, Checks.toNative(12.345, 2, "amount")); // 1234.5
        assertEquals(0, Checks.toNative(1e-9, 6, "amount"));
        assertEquals(3_000_000_000L, Checks.toNative(3.0, 9, "amount"));
        // stricter than Psyche before signing (it would saturate to 0 / u64::MAX): refused
        assertThrows(OpsException.class, () -> Checks.toNative(-1, 6, "amount"));
        assertThrows(OpsException.class, () -> Checks.toNative(Double.NaN, 6, "amount"));
        assertThrows(OpsException.class, () -> Checks.toNative(1e30, 6, "amount"));
    }
}
