/**
 * Files in and out: formats (safetensors, .npy, CSV, gzip IDX) and atomic writes.
 *
 * <p>Every reader validates its input completely and reports a problem as one
 * {@link org.imprint.io.BadInputException} line that names the file and what is wrong. Every writer goes
 * through {@link org.imprint.io.AtomicFiles}: a reader never sees a half-written file.
 */
package org.imprint.io;
