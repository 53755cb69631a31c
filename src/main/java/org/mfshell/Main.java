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
 * {@code --on HOST[,HOST...]|all|GROUP} runs the command on those hosts over ssh and merges the results.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] argv) {
        List<String> args = new ArrayList<>(Arrays.asList(argv));
        String configRoot = null;
        String on = null;
        while (!args.isEmpty() && (args.get(0).startsWith("--config-root") || args.get(0).equals("--on") || args.get(0).startsWith("--on="))) {
            String a = args.remove(0);
            String value;
            if (a.startsWith("--config-root=") || a.startsWith("--on=")) {
                value = a.substring(a.indexOf('=') + 1);
            } else if (!args.isEmpty()) {
                value = args.remove(0);
            } else {
                System.err.println(a.equals("--on") ? "mfshell: --on needs HOST[,HOST...], all, or a fleet group"
                        : "mfshell: --config-root needs a directory");
                System.exit(2);
                return;
            }
            if (a.startsWith("--on")) {
                on = value;
            } else {
                configRoot = value;
            }
        }
        AppContext ctx = AppContext.fromEnvironment(System.getenv(), configRoot);
        if (on != null) {
            System.exit(runOnHosts(ctx, on, args));
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

    /** {@code --on HOSTS CMD ARGS}: CMD on every host over ssh, merged (see FleetCommand). */
    static int runOnHosts(AppContext ctx, String on, List<String> args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), false);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        boolean terminal = System.console() != null;
        Io io = new Io(out, err, in, terminal, false,
                terminal ? org.mfshell.shell.TerminalScreen.oneShot(Thread.currentThread()) : org.mfshell.cli.Screen.NONE);
        return org.mfshell.shell.FleetCommand.run(ctx, System.getenv(), on, args, io);
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
