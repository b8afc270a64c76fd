/**
 * Pictures for reports, drawn with Java2D and written as PNG: line and scatter plots with linear or log
 * axes ({@link org.imprint.report.Plot}) and grids of greyscale images ({@link org.imprint.report.ImageGrid}).
 */
package org.imprint.report;
