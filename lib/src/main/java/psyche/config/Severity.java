package psyche.config;

/** How bad a {@link Violation} is: an ERROR stops the config from working (or from being accepted); a WARNING does not. */
public enum Severity { ERROR, WARNING }
