package psyche.monitor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import psyche.coordinator.Client;
import psyche.coordinator.InstanceState;
import psyche.coordinator.RunState;
import psyche.display.Display;
import psyche.display.DisplaySink;
import psyche.display.Html;
import psyche.testing.RunFixtures;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static psyche.testing.RunFixtures.node;

class Monitor_WatchTest {
    /** Records what the monitor shows: one display, then updates of the same id. */
    static final class Capture implements DisplaySink {
        final List<String> ids = new ArrayList<>();
        final List<Object> shown = new ArrayList<>();

        @Override public String display(Object value) { ids.add("d1"); shown.add(value); return "d1"; }
        @Override public void update(String id, Object value) { ids.add(id); shown.add(value); }
    }

    final DisplaySink previous = Display.sink();

    @AfterEach void restore() { Display.install(previous); }

    static final List<Client> HEALTHY = List.of(Client.healthy(node(1)), Client.healthy(node(2)));

    @Test
    void updatesOneDisplayInPlaceAndStopsWhenTheRunHalts() {
        Capture capture = new Capture();
        Display.install(capture);
        AtomicInteger polls = new AtomicInteger();
        Supplier<InstanceState> source = () -> switch (polls.incrementAndGet()) {
            case 1 -> RunFixtures.at(RunState.RoundTrain, 1, 5, 0, HEALTHY, new long[4]);
            case 2 -> RunFixtures.at(RunState.RoundWitness, 1, 5, 1, HEALTHY, new long[4]);
            default -> RunFixtures.at(RunState.Paused, 1, 6, 1, HEALTHY, new long[4]);
        };
        Monitor.Outcome outcome = Monitor.watch(source, Monitor.Options.defaults().withInterval(Duration.ofMillis(1))
                .withLimit(Duration.ofSeconds(30)), null, Clock.fixed(Instant.ofEpochSecond(1_060), ZoneOffset.UTC));
        assertEquals("run is Paused", outcome.reason());
        assertEquals(3, outcome.polls());
        assertEquals(List.of("d1", "d1", "d1"), capture.ids, "one display, rewritten in place");
        Html last = (Html) capture.shown.get(2);
        assertTrue(last.text().contains("Paused"), last.text());
        Html second = (Html) capture.shown.get(1);
        assertTrue(second.text().contains("steps ["), second.text());
        assertTrue(second.html().contains("data:image/png;base64,"), "charts are inlined");
    }

    @Test
    void stopsAtTheTimeLimitAndKeepsPollErrors() {
        Display.install(new Capture());
        AtomicInteger polls = new AtomicInteger();
        Supplier<InstanceState> flaky = () -> {
            if (polls.incrementAndGet() % 2 == 0) throw new IllegalStateException("rpc timeout");
            return RunFixtures.at(RunState.RoundTrain, 1, 5, 0, HEALTHY, new long[4]);
        };
        long start = System.nanoTime();
        Monitor.Outcome outcome = Monitor.watch(flaky, Monitor.Options.defaults().withInterval(Duration.ofMillis(20))
                .withLimit(Duration.ofMillis(200)).withCharts(false));
        assertTrue(outcome.reason().startsWith("time limit"), outcome.reason());
        assertTrue(outcome.polls() >= 2 && outcome.polls() <= 12, "polls " + outcome.polls());
        assertTrue(outcome.errors().get(0).contains("rpc timeout"));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
    }

    @Test
    void interruptEndsTheWatch() throws Exception {
        Display.install(new Capture());
        Monitor.Outcome[] result = new Monitor.Outcome[1];
        Thread t = new Thread(() -> result[0] = Monitor.watch(
                () -> RunFixtures.at(RunState.RoundTrain, 1, 5, 0, HEALTHY, new long[4]),
                Monitor.Options.defaults().withInterval(Duration.ofMillis(50)).withLimit(Duration.ofMinutes(5)).withCharts(false)));
        t.start();
        Thread.sleep(120);
        t.interrupt();
        t.join(5_000);
        assertEquals("interrupted", result[0].reason());
    }
}
