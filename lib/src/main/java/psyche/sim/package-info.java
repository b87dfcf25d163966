/**
 * What-if simulation of a Psyche run on virtual time: simulated clients with behaviours (reliable, slow, dropping,
 * late, rejoining, never witnessing) drive the real engine and program logic ({@link psyche.coordinator.RunProgram})
 * second by second; the result is a reproducible {@link psyche.sim.Timeline} and a {@link psyche.sim.SimulationSummary}.
 */
package psyche.sim;
