/**
 * Run history: each observed change of a run (state, rounds, client health, points, treasury) appended to an
 * embedded SQLite file, so charts over time survive a kernel restart and reports can be rebuilt from it.
 */
package psyche.history;
