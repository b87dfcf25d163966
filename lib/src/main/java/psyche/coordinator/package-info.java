/**
 * The coordinator: value types of a run's state (the same ones the account codec and the frames use) and the
 * pure engine that advances them. Nothing here reads a clock, does I/O or draws global randomness: {@code now}
 * (unix seconds) and the random seed are parameters.
 */
package psyche.coordinator;
