package psyche.chain.local;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock tests move by hand (slots, blockhash expiry). */
public final class MutableClock extends Clock {
    private final AtomicLong millis;

    public MutableClock(long startMillis) { this.millis = new AtomicLong(startMillis); }

    public void advance(Duration d) { millis.addAndGet(d.toMillis()); }

    @Override public ZoneId getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(ZoneId zone) { return this; }
    @Override public long millis() { return millis.get(); }
    @Override public Instant instant() { return Instant.ofEpochMilli(millis.get()); }
}
