package org.mfshell;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mfshell.cli.Cli;
import org.mfshell.cli.Io;
import org.mfshell.shell.Commands;

/**
 * Entry point. With a command ({@code mfshell stats --format mf}) it runs that one command on a
 * plain JVM and exits with its code: no Spring context, so scripts and cron start in a fraction
 * of a second and stdout carries only the command's output. Without a command it opens the
 * interactive shell (Spring Shell on JLine), which runs the very same command objects.
 *
 * <p>Global options before the command: {@code --config-root DIR} (else MFSHELL_CONFIG_ROOT, else /etc);
 * {@code --on HOST[,HOST...]|all|GROUP} runs the command on those hosts over ssh and merges the results
 * (without a command: the fleet shell, {@link org.mfshell.shell.FleetShell});
 * {@code --operator USER@HOST} names who asked, for the audit log (sent by the operator's mfshell under
 * {@code --on}); {@code --json-shapes N} refuses to run (exit 2) unless this mfshell speaks JSON shapes N
 * (also sent under {@code --on}, so the check costs no run of its own).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] argv) {
        List<String> args = new ArrayList<>(Arrays.asList(argv));
        String configRoot = null;
        String on = null;
        String operator = null;
        String shapes = null;
        while (!args.isEmpty() && (args.get(0).startsWith("--config-root") || args.get(0).equals("--on") || args.get(0).startsWith("--on=")
                || globalFleetOption(args.get(0)))) {
            String a = args.remove(0);
            String value;
            if (a.startsWith("--config-root=") || a.startsWith("--on=") || (globalFleetOption(a) && a.contains("="))) {
                value = a.substring(a.indexOf('=') + 1);
            } else if (!args.isEmpty()) {
                value = args.remove(0);
            } else {
                System.err.println(a.equals("--on") ? "mfshell: --on needs HOST[,HOST...], all, or a fleet group"
                        : a.equals("--operator") ? "mfshell: --operator needs USER@HOST"
                        : a.equals("--json-shapes") ? "mfshell: --json-shapes needs a number"
                        : "mfshell: --config-root needs a directory");
                System.exit(2);
                return;
            }
            if (a.startsWith("--operator")) {
                operator = value;
            } else if (a.startsWith("--json-shapes")) {
                shapes = value;
            } else if (a.startsWith("--on")) {
                on = value;
            } else {
                configRoot = value;
            }
        }
        int bad = fleetOptions(operator, shapes);
        if (bad != 0) {
            System.exit(bad);
            return;
        }
        AppContext ctx = AppContext.fromEnvironment(System.getenv(), configRoot);
        if (on != null && args.isEmpty()) {
            System.exit(org.mfshell.shell.FleetShell.start(ctx, System.getenv(), on, operator));
            return;
        }
        if (on != null) {
            System.exit(runOnHosts(ctx, on, operator, args));
            return;
        }
        if (args.isEmpty() || args.equals(List.of("shell"))) {
            for (org.mfshell.flush.FlushJournal j : org.mfshell.flush.FlushService.unfinishedEverywhere(ctx.stateDir())) {
                System.err.println("mfshell: warning: " + org.mfshell.flush.FlushService.unfinishedMessage(j));
            }
            try {
                org.mfshell.shell.ShellApplication.start(ctx);
            } catch (RuntimeException e) {
                Throwable root = e;
                while (root.getCause() != null && root.getCause() != root) {
                    root = root.getCause();
                }
                System.err.println("mfshell: cannot start the interactive shell: "
                        + (root.getMessage() != null ? root.getMessage() : root.getClass().getName()));
                System.exit(1);
            }
            return;
        }
        System.exit(runOneShot(ctx, args));
    }

    private static boolean globalFleetOption(String a) {
        return a.equals("--operator") || a.startsWith("--operator=") || a.equals("--json-shapes") || a.startsWith("--json-shapes=");
    }

    /** Checks --operator (and claims it for the audit log) and --json-shapes; 0, or the exit code after one stderr line. */
    static int fleetOptions(String operator, String shapes) {
        try {
            if (operator != null) {
                org.mfshell.fs.AuditLog.claimOperator(operator);
            }
        } catch (org.mfshell.core.UsageException e) {
            System.err.println("mfshell: " + e.getMessage());
            return org.mfshell.core.ExitCodes.USAGE;
        }
        if (shapes != null) {
            int n;
            try {
                n = Integer.parseInt(shapes);
            } catch (NumberFormatException e) {
                System.err.println("mfshell: --json-shapes: " + org.mfshell.core.Quote.quote(shapes) + " is not a number");
                return org.mfshell.core.ExitCodes.USAGE;
            }
            if (n > org.mfshell.shell.VersionCommand.JSON_SHAPES) {
                System.err.println("mfshell: this mfshell " + org.mfshell.shell.VersionCommand.version() + " speaks JSON shapes "
                        + org.mfshell.shell.VersionCommand.JSON_SHAPES + "; the caller needs " + n);
                return org.mfshell.core.ExitCodes.USAGE;
            }
        }
        return 0;
    }

    /** {@code --on HOSTS CMD ARGS}: CMD on every host over ssh, merged (see FleetCommand). */
    static int runOnHosts(AppContext ctx, String on, String operator, List<String> args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), false);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        boolean terminal = System.console() != null;
        Io io = new Io(out, err, in, terminal, false,
                terminal ? org.mfshell.shell.TerminalScreen.oneShot(Thread.currentThread()) : org.mfshell.cli.Screen.NONE);
        return org.mfshell.shell.FleetCommand.run(ctx, System.getenv(), on, operator, args, io);
    }

    static int runOneShot(AppContext ctx, List<String> args) {
        boolean terminal = System.console() != null;
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), false);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        boolean color = terminal && System.getenv("NO_COLOR") == null;
        Io io = new Io(out, err, in, terminal, color,
                terminal ? org.mfshell.shell.TerminalScreen.oneShot(Thread.currentThread()) : org.mfshell.cli.Screen.NONE);
        if (!args.get(0).equals("flush") && !args.get(0).equals("reroutes")) {
            org.mfshell.shell.FlushCommand.warnUnfinished(ctx, io);
        }
        return new Cli(ctx, Commands.all()).run(args, io);
    }
}
