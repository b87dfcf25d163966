/** XChart figures of a run and its config: every chart has a title, axis labels with units, and saves to PNG/SVG. */
package psyche.charts;
