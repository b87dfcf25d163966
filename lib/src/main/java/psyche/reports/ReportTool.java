package psyche.reports;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report steps behind {@code bin/psyche-notebook} (argument mapping only):
 * <pre>
 *   prepare NOTEBOOK OUT.ipynb [-p NAME VALUE]... [--parameters-file FILE]...   exit 2: bad parameters, nothing run
 *   finish EXECUTED.ipynb ROOT LOG NAME OUT.provenance.json                     prints the kernel's errors, exit 1 if any
 *   check FIRST.ipynb SECOND.ipynb                                              exit 3: outputs differ (cells named)
 *   compare OUT.html RUN RUN [RUN...]                                           runs: .provenance.json, .ipynb or .html
 * </pre>
 */
public final class ReportTool {
    private ReportTool() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("psyche-notebook: report step missing (prepare, finish, check, compare)");
            return 2;
        }
        try {
            switch (args[0]) {
                case "prepare" -> {
                    if (args.length < 3) throw new ReportException("usage: prepare NOTEBOOK OUT.ipynb [-p NAME VALUE]... [--parameters-file FILE]");
                    Map<String, Object> overrides = new LinkedHashMap<>();
                    for (int i = 3; i < args.length; i++) {
                        switch (args[i]) {
                            case "-p", "--parameter" -> {
                                if (i + 2 >= args.length) throw new ReportException("-p needs a name and a value: -p steps 20");
                                overrides.put(args[i + 1], args[i + 2]);
                                i += 2;
                            }
                            case "--parameters-file", "-f" -> {
                                if (i + 1 >= args.length) throw new ReportException("--parameters-file needs a file (JSON or YAML)");
                                // a file's typed values; -p given later on the line still win, as in papermill
                                Map<String, Object> fromFile = NotebookParameters.readFile(Path.of(args[++i]));
                                fromFile.forEach(overrides::putIfAbsent);
                            }
                            default -> throw new ReportException("unknown argument " + args[i]);
                        }
                    }
                    NotebookReport.prepare(Path.of(args[1]), overrides, Path.of(args[2]));
                    return 0;
                }
                case "finish" -> {
                    if (args.length != 6) throw new ReportException("usage: finish EXECUTED.ipynb ROOT LOG NAME OUT.provenance.json");
                    Path executed = Path.of(args[1]);
                    Provenance p = NotebookReport.finish(executed, Path.of(args[2]), Path.of(args[3]), args[4], Path.of(args[5]));
                    if (!p.status().equals("ok")) {
                        String errors = NotebookReport.errors(executed);
                        err.print(errors.isEmpty() ? p.status() + "\n" : errors);
                        return 1;
                    }
                    return 0;
                }
                case "check" -> {
                    if (args.length != 3) throw new ReportException("usage: check FIRST.ipynb SECOND.ipynb");
                    List<ReproducibilityCheck.Difference> diffs = ReproducibilityCheck.compare(Path.of(args[1]), Path.of(args[2]));
                    if (diffs.isEmpty()) {
                        out.println("psyche-notebook: reproducible: every cell's outputs are the same in both runs, charts"
                                + " pixel for pixel (timing values and charts, temporary paths, ports, times and keys left out)");
                        return 0;
                    }
                    err.println("psyche-notebook: NOT reproducible: " + diffs.size() + " cell(s) gave different outputs:");
                    for (ReproducibilityCheck.Difference d : diffs) err.println("  " + d.toString().replace("\n", "\n  "));
                    err.println("mark timing values with Reports.timing(value, unit) (a timing chart inlined in HTML: alt text"
                            + " ending in " + Timing.MARK + ") or tag a timing-only cell '" + ReproducibilityCheck.TIMING_TAG
                            + "'; fix seeds, bound training by steps and drive simulated clients on a LogicalClock for the rest");
                    return 3;
                }
                case "compare" -> {
                    if (args.length < 4) throw new ReportException("usage: --compare A B [C ...] (each a .provenance.json, executed .ipynb or .html report)");
                    List<Path> runs = new ArrayList<>();
                    for (int i = 2; i < args.length; i++) runs.add(Path.of(args[i]));
                    Path page = Reports.compare(Path.of(args[1]), runs);
                    out.println("psyche-notebook: comparison of " + runs.size() + " runs: " + page);
                    return 0;
                }
                default -> throw new ReportException("unknown report step " + args[0] + " (prepare, finish, check, compare)");
            }
        } catch (ReportException e) {
            err.println("psyche-notebook: " + e.getMessage());
            return 2;
        }
    }
}
