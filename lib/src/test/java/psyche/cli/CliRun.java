package psyche.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run-manager invocation for tests: exit code, stdout and stderr. */
record CliRun(int code, String out, String err) {
    static CliRun of(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = RunManager.execute("run-manager", new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
