package org.imprint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.imprint.io.BadInputException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command tree, exit codes and error format, run in-process (no JVM spawned). */
class CliTest {
    record Result(int code, String out, String err) {}

    static Result run(CommandLine cli, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    static Result run(String... args) {
        return run(Main.commandLine(), args);
    }

    /** The subcommand names leading to the command of this class in Imprint's tree, e.g. [experiment, provable-1d]. */
    static List<String> pathOf(Class<?> command) {
        List<String> path = find(Main.commandLine(), command);
        if (path == null) throw new AssertionError(command.getSimpleName() + " is not registered in the command tree");
        return path;
    }

    private static List<String> find(CommandLine cl, Class<?> command) {
        for (var e : cl.getSubcommands().entrySet()) {
            if (command.isInstance(e.getValue().getCommand())) return new java.util.ArrayList<>(List.of(e.getKey()));
            List<String> below = find(e.getValue(), command);
            if (below != null) {
                below.add(0, e.getKey());
                return below;
            }
        }
        return null;
    }

    @Test void helpAndVersion() {
        Result help = run("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("bench"), help.out());
        assertTrue(help.out().contains("Exit codes"), help.out());
        Result version = run("--version");
        assertEquals(0, version.code());
        assertTrue(version.out().startsWith("imprint "), version.out());
        assertTrue(version.out().contains("blas "), version.out());
    }

    @Test void everyCommandHasHelp() {
        CommandLine root = Main.commandLine();
        assertHelp(root, "");
    }

    private static void assertHelp(CommandLine cmd, String path) {
        for (var e : cmd.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) continue;
            String[] args = (path + e.getKey() + " --help").trim().split(" ");
            Result r = run(args);
            assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: imprint"), r.out());
            assertHelp(e.getValue(), path + e.getKey() + " ");
        }
    }

    @Test void unknownOptionIsBadInputWithOneLine() {
        Result r = run("--no-such-option");
        assertEquals(Main.BAD_INPUT, r.code());
        assertTrue(r.err().startsWith("imprint: Unknown option: '--no-such-option'"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --stacktrace");
    }

    @Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        final RuntimeException toThrow;

        Boom(RuntimeException toThrow) {
            this.toThrow = toThrow;
        }

        @Override
        public Integer call() {
            throw toThrow;
        }
    }

    @Test void userErrorsExitTwoAndBugsExitOne() {
        CommandLine cli = Main.commandLine().addSubcommand(new Boom(new BadInputException("no such file: x.safetensors")));
        Result bad = run(cli, "boom");
        assertEquals(Main.BAD_INPUT, bad.code());
        assertEquals("imprint: no such file: x.safetensors", bad.err().strip());

        CommandLine cli2 = Main.commandLine().addSubcommand(new Boom(new IllegalStateException("broken invariant")));
        Result bug = run(cli2, "boom");
        assertEquals(Main.INTERNAL_ERROR, bug.code());
        assertTrue(bug.err().startsWith("imprint: internal error: IllegalStateException: broken invariant"), bug.err());
        assertFalse(bug.err().contains("\tat "));

        Result traced = run(Main.commandLine().addSubcommand(new Boom(new IllegalStateException("x"))), "--stacktrace", "boom");
        assertTrue(traced.err().contains("\tat "), "stack trace behind --stacktrace");
    }
}
