/**
 * The {@code imprint} command line (picocli): one class per subcommand, exit codes 0 (ok), 2 (bad
 * input) and 1 (internal error), one-line errors with the stack trace behind {@code --stacktrace}.
 */
package org.imprint.cli;
