/**
 * Showing things in whatever front end runs the library: a notebook kernel installs a {@link DisplaySink} that
 * renders rich output and rewrites it in place; elsewhere output falls back to plain text on stdout. Library code
 * (live monitors, training sessions) only talks to {@link Display}.
 */
package psyche.display;
