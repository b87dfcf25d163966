/** Live monitoring: a status card, progress bars and charts of a run, rewritten in place while it runs. */
package psyche.monitor;
