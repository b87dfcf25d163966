package psyche.sim;

/**
 * How a simulated client behaves. Times are seconds since the simulation start.
 */
public sealed interface Behaviour {
    /** Online throughout, trains within 40–80% of {@code max_round_train_time}, witnesses when selected. */
    record Reliable() implements Behaviour {}

    /** Like reliable, but each round with probability {@code missProbability} trains past {@code max_round_train_time}. */
    record Slow(double missProbability) implements Behaviour {
        public Slow {
            if (!(missProbability >= 0 && missProbability <= 1)) {
                throw new IllegalArgumentException("miss probability must be in [0, 1], got " + missProbability);
            }
        }
    }

    /** Goes offline for good at {@code atSecond}. */
    record DropsAt(long atSecond) implements Behaviour {}

    /** Comes online at {@code atSecond} and joins at the next WaitingForMembers. */
    record JoinsLate(long atSecond) implements Behaviour {}

    /** Offline from {@code dropAtSecond} until {@code backAtSecond}, then joins again. */
    record Rejoins(long dropAtSecond, long backAtSecond) implements Behaviour {
        public Rejoins {
            if (backAtSecond < dropAtSecond) throw new IllegalArgumentException("rejoin time " + backAtSecond + " is before drop time " + dropAtSecond);
        }
    }

    /** Trains, but never sends a witness even when selected. */
    record NeverWitnesses() implements Behaviour {}

    static Behaviour reliable() { return new Reliable(); }

    static Behaviour slow(double missProbability) { return new Slow(missProbability); }

    static Behaviour dropsAt(long atSecond) { return new DropsAt(atSecond); }

    static Behaviour joinsLate(long atSecond) { return new JoinsLate(atSecond); }

    static Behaviour rejoins(long dropAtSecond, long backAtSecond) { return new Rejoins(dropAtSecond, backAtSecond); }

    static Behaviour neverWitnesses() { return new NeverWitnesses(); }

    /** Whether the behaviour alone keeps the client online at {@code second}. */
    default boolean onlineAt(long second) {
        if (this instanceof DropsAt d) return second < d.atSecond();
        if (this instanceof JoinsLate j) return second >= j.atSecond();
        if (this instanceof Rejoins r) return second < r.dropAtSecond() || second >= r.backAtSecond();
        return true;
    }

    /** Short name for reports. */
    default String label() {
        if (this instanceof Slow s) return "slow(" + s.missProbability() + ")";
        if (this instanceof DropsAt d) return "drops-at(" + d.atSecond() + ")";
        if (this instanceof JoinsLate j) return "joins-late(" + j.atSecond() + ")";
        if (this instanceof Rejoins r) return "rejoins(" + r.dropAtSecond() + "," + r.backAtSecond() + ")";
        if (this instanceof NeverWitnesses) return "never-witnesses";
        return "reliable";
    }
}
