/**
 * Reproducible experiment reports: papermill-style parameters ({@link psyche.reports.NotebookParameters}), the
 * provenance of an executed notebook ({@link psyche.reports.Provenance}, inputs recorded by the library through
 * {@link psyche.reports.Inputs}), the re-run check ({@link psyche.reports.ReproducibilityCheck}) and side-by-side
 * comparison of runs ({@link psyche.reports.Reports#compare}). {@code bin/psyche-notebook} maps its flags onto
 * {@link psyche.reports.ReportTool}.
 */
package psyche.reports;
