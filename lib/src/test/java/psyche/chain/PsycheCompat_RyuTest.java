package psyche.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Point 12 (floats): serde_json writes f32/f64 with ryu's format32/format64 (dtolnay/ryu src/pretty/mod.rs: plain
 * for 0 <= exp && kk <= 16 (f32 13), 0 < kk <= 16 (13), -5 < kk <= 0 (f32 -6); else d.ddde<kk-1>). Expected
 * strings follow those branches by hand.
 */
class PsycheCompat_RyuTest {
    @Test void point12_f64LikeRyu() {
        assertEquals("1.0", Ryu.f64(1.0));
        assertEquals("0.0", Ryu.f64(0.0));
        assertEquals("-0.0", Ryu.f64(-0.0));
        assertEquals("0.0004", Ryu.f64(4.0e-4));
        assertEquals("0.00004", Ryu.f64(4.0e-5)); // kk = -4 > -5: plain
        assertEquals("4e-6", Ryu.f64(4.0e-6));
        assertEquals("123456.0", Ryu.f64(123456.0));
        assertEquals("1000000000000000.0", Ryu.f64(1e15));
        assertEquals("1e16", Ryu.f64(1e16)); // kk = 17 > 16
        assertEquals("1.5e300", Ryu.f64(1.5e300));
        assertEquals("0.1", Ryu.f64(0.1));
        assertEquals("0.30000000000000004", Ryu.f64(0.1 + 0.2));
        assertEquals("5e-324", Ryu.f64(Double.MIN_VALUE));
        assertEquals("1.7976931348623157e308", Ryu.f64(Double.MAX_VALUE));
        assertEquals("-2.5", Ryu.f64(-2.5));
    }

    @Test void point12_f32LikeRyu() {
        assertEquals("0.9", Ryu.f32(0.9f));
        assertEquals("0.999", Ryu.f32(0.999f));
        assertEquals("0.00001", Ryu.f32(1e-5f)); // kk = -4 > -6
        assertEquals("0.000001", Ryu.f32(1e-6f)); // kk = -5 > -6: plain
        assertEquals("1e-7", Ryu.f32(1e-7f)); // kk = -6
        assertEquals("1e-8", Ryu.f32(1e-8f));
        assertEquals("1000000000000.0", Ryu.f32(1e12f)); // kk = 13
        assertEquals("1e13", Ryu.f32(1e13f)); // kk = 14 > 13
        assertEquals("3.4028235e38", Ryu.f32(Float.MAX_VALUE));
        assertEquals("0.1", Ryu.f32(0.1f));
    }
}
