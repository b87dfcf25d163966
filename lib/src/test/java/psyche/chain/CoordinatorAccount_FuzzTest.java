package psyche.chain;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class CoordinatorAccount_FuzzTest {

    @Test
    void wrongSizeSaysSize() {
        byte[] good = CoordinatorAccount_CodecTest.handBuiltAccount();
        for (byte[] bad : new byte[][]{new byte[0], Arrays.copyOf(good, 119_159), Arrays.copyOf(good, 119_161),
                Arrays.copyOf(good, 119_072)}) {
            AccountDecodeException e = assertThrows(AccountDecodeException.class, () -> CoordinatorAccount.decode(bad));
            assertEquals(AccountDecodeException.Reason.SIZE, e.reason());
            assertTrue(e.getMessage().contains("119160"), e.getMessage());
        }
    }

    @Test
    void wrongDiscriminatorSaysDiscriminator() {
        byte[] d = CoordinatorAccount_CodecTest.handBuiltAccount();
        d[0] ^= 1;
        AccountDecodeException e = assertThrows(AccountDecodeException.class, () -> CoordinatorAccount.decode(d));
        assertEquals(AccountDecodeException.Reason.DISCRIMINATOR, e.reason());
        assertTrue(e.getMessage().contains("ef21b1372c9b562b"), e.getMessage());
    }

    @Test
    void wrongVersionSaysVersion() {
        byte[] d = CoordinatorAccount_CodecTest.handBuiltAccount();
        ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN).putLong(8, 2);
        AccountDecodeException e = assertThrows(AccountDecodeException.class, () -> CoordinatorAccount.decode(d));
        assertEquals(AccountDecodeException.Reason.VERSION, e.reason());
        assertTrue(e.getMessage().contains("version is 2, expected 1"), e.getMessage());
    }

    /** Random bytes behind a valid header: either a decoded account or the typed error, nothing else. */
    @Property(tries = 200)
    void randomBodiesOnlyGiveTheTypedError(@ForAll long seed, @ForAll @IntRange(min = 0, max = 3) int mode) {
        Random r = new Random(seed);
        byte[] d = CoordinatorAccount_CodecTest.handBuiltAccount();
        switch (mode) {
            case 0 -> r.nextBytes(d);                                   // all random
            case 1 -> { for (int i = 0; i < 64; i++) d[16 + r.nextInt(d.length - 16)] = (byte) r.nextInt(); }
            case 2 -> { byte[] body = new byte[d.length - 16]; r.nextBytes(body); System.arraycopy(body, 0, d, 16, body.length); }
            default -> d = Arrays.copyOf(d, r.nextInt(200_000));       // truncated or oversized
        }
        byte[] data = d;
        try {
            CoordinatorAccount acc = CoordinatorAccount.decode(data);
            assertEquals(acc, CoordinatorAccount.decode(acc.encode()), "a decodable account re-encodes to itself");
        } catch (AccountDecodeException expected) {
            assertNotNull(expected.reason());
        }
    }
}
