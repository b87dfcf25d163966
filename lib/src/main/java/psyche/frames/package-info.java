/**
 * Tablesaw tables of a run: summary, clients, stored rounds, treasury and the list of runs. Columns are typed
 * (integers, instants, booleans, categories), so notebooks can filter, sort and plot them directly.
 */
package psyche.frames;
