/**
 * Benchmarks that time Imprint against reference implementations (NumPy, PyTorch) on the same machine and print
 * the figures side by side; the {@code imprint bench} commands run them.
 */
package org.imprint.bench;
