/**
 * Reports: pictures drawn with Java2D and written as PNG — line, scatter and histogram plots with linear or
 * log axes ({@link org.imprint.report.Plot}), grids of greyscale images ({@link org.imprint.report.ImageGrid}) —
 * and the audit report ({@link org.imprint.report.AuditReport}), one self-contained HTML page built from the
 * result folders of the other commands.
 */
package org.imprint.report;
