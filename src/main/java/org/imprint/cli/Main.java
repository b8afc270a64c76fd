package org.imprint.cli;

import java.io.PrintWriter;
import org.imprint.io.BadInputException;
import picocli.CommandLine;

/**
 * Entry point of the {@code imprint} command line. Exit codes: 0 success, 2 bad input (unknown option,
 * missing or malformed file, wrong shape), 1 internal error. Errors are one line on stderr; the stack
 * trace is printed only with {@code --stacktrace}.
 */
public final class Main {
    /** Exit code for success. */
    public static final int OK = 0;
    /** Exit code for an internal error (a bug or an environment failure). */
    public static final int INTERNAL_ERROR = 1;
    /** Exit code for bad input: options, files, shapes. */
    public static final int BAD_INPUT = 2;

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams and returns the exit code (used by tests, no process spawned). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = commandLine();
        cli.setOut(out);
        cli.setErr(err);
        return cli.execute(args);
    }

    /** The configured command tree. */
    public static CommandLine commandLine() {
        ImprintCommand root = new ImprintCommand();
        CommandLine cli = new CommandLine(root);
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean bad = ex instanceof BadInputException;
            PrintWriter err = commandLine.getErr();
            err.println("imprint: " + (bad ? "" : "internal error: ") + oneLine(ex));
            if (root.stacktrace) ex.printStackTrace(err);
            else if (!bad) err.println("(run again with --stacktrace for the details)");
            err.flush();
            return bad ? BAD_INPUT : INTERNAL_ERROR;
        });
        cli.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("imprint: " + oneLine(ex) + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            if (root.stacktrace) ex.printStackTrace(err);
            err.flush();
            return BAD_INPUT;
        });
        return cli;
    }

    private static String oneLine(Throwable ex) {
        String msg = ex.getMessage();
        if (msg == null || msg.isBlank()) msg = ex.getClass().getSimpleName();
        else if (!(ex instanceof BadInputException) && !(ex instanceof CommandLine.ParameterException)) msg = ex.getClass().getSimpleName() + ": " + msg;
        return msg.replace('\n', ' ');
    }
}
