package org.mfshell.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mfshell.AppContext;
import org.mfshell.cli.ArgParser;
import org.mfshell.cli.Cli;
import org.mfshell.cli.Io;
import org.mfshell.cli.ParsedArgs;
import org.mfshell.cli.Text;
import org.mfshell.core.CancelledException;
import org.mfshell.core.ExitCodes;
import org.mfshell.core.MfshellException;
import org.mfshell.core.Quote;
import org.mfshell.core.UsageException;
import org.mfshell.fleet.CrossHostReroute;
import org.mfshell.flush.IncomingClaims;
import org.mfshell.flush.TargetFacts;
import org.mfshell.mail.Domains;
import org.mfshell.instance.InstanceNames;
import org.mfshell.postfix.Ssh;

/**
 * {@code flush HOST:SRC --to HOST2:NAME ...}: the guided reroute from an instance on one relay to
 * an instance on another. Reads the target's facts on HOST2 over ssh, then runs the reroute on
 * HOST (attached: its steps and questions are shown and asked here, {@code ssh -t} on a terminal)
 * with those facts, so that preflight (the SMTP dialogue from SRC's sending address, HOST2's
 * mynetworks admitting it, the reroute graph of both hosts), journal, canary and drain run where
 * the mail is. SRC without a host is an instance of this host (run in this process); any other
 * {@code flush HOST:SRC ...} (the same host twice, --restore, --rollback) runs on HOST as it is.
 *
 * <p>Host names are ssh destinations as the fleet file and ssh config know them; one that starts
 * with '-' or holds white space or control characters is refused (exit 2) before any ssh runs, as
 * are bad instance names and the internal options. Errors: one line on stderr, exit 2 for bad
 * input, 1 for a failure; otherwise the source host's own exit code.
 */
public final class CrossHostFlush {
    private CrossHostFlush() {
    }

    /** Whether a flush command line names an instance on another host ({@code HOST:NAME} as NAME or --to). */
    public static boolean applies(ParsedArgs args) {
        return !args.flag("facts") && args.value("target-facts").isEmpty()
                && (args.arg(0).map(a -> a.contains(":")).orElse(false)
                || args.value("to").map(a -> a.contains(":")).orElse(false));
    }

    /**
     * Runs {@code args}, a whole flush command line ({@code flush rustin:msn-a --to cleveland:msn-b
     * --domain hotmail.com --yes}), and returns its exit code. The fleet shell hands its two-host
     * flushes here.
     */
    public static int run(AppContext ctx, Map<String, String> env, List<String> args, Io io) {
        try {
            if (args.isEmpty() || !args.get(0).equals("flush")) {
                throw new UsageException("cross-host flush: the command line must start with 'flush'");
            }
            ParsedArgs p = ArgParser.parse(new FlushCommand().spec(), args.subList(1, args.size()));
            if (p.flag("facts") || p.value("target-facts").isPresent()) {
                throw new UsageException("flush: --facts and --target-facts are mfshell's own (it passes them between hosts)");
            }
            Place src = place(p.arg(0).orElseThrow(() -> new UsageException("flush: missing NAME (HOST:NAME)")), "NAME");
            Place dst = p.value("to").isPresent() ? place(p.value("to").get(), "--to") : null;
            Ssh ssh = new Ssh(ctx.runner(), env);
            CrossHostReroute remote = new CrossHostReroute(ssh, VersionCommand.version(), VersionCommand.JSON_SHAPES);
            List<String> rest = passThrough(p);
            if (dst == null || dst.host == null || (src.host != null && src.host.equals(dst.host))) {
                // One host: the flush runs there as it would when typed on it.
                if (src.host == null) {
                    throw new UsageException("flush: --to " + p.value("to").orElse("") + " names no other host");
                }
                List<String> words = new ArrayList<>(List.of("flush", src.instance));
                if (dst != null) {
                    words.addAll(List.of("--to", dst.instance));
                }
                words.addAll(rest);
                flushStreams(io);
                return remote.runAttached(src.host, words, io.terminal(), false);
            }
            List<String> domains = Domains.requireAll(p.values("domain"));
            long t0 = System.nanoTime();
            TargetFacts facts;
            if (p.flag("dry-run")) {
                facts = remote.facts(dst.host, dst.instance, src.host);
            } else {
                // Write before read: the target host records this reroute's claim, then reads its
                // facts (IncomingClaims), so that of two opposite reroutes started at once at
                // least one sees the other.
                TargetFacts.Source source = src.host == null ? ctx.flushService().sourceFacts(src.instance,
                        VersionCommand.version()) : remote.sourceFacts(src.host, src.instance);
                String from = (src.host == null ? ShellApplication.hostName() : src.host) + ":" + source.instance();
                facts = remote.claimFacts(dst.host, dst.instance, from, source.sendingAddress(), domains);
            }
            io.out().printf("target %s:%s: facts read over ssh in %.2f s (mfshell %s, sends from %s, %s)%n", dst.host,
                    facts.instance(), (System.nanoTime() - t0) / 1e9, facts.mfshellVersion(), facts.sendingAddress(),
                    facts.running() ? "running" : "NOT running");
            if (facts.claim() != null) {
                io.out().printf("target %s:%s: claim %s recorded there: a reroute from %s back to this source is "
                        + "refused while this one starts (then its journal keeps it out; the claim ends with this flush, "
                        + "at the latest in %d minutes)%n", dst.host, facts.instance(), facts.claim(), dst.host,
                        IncomingClaims.LIFETIME.toMinutes());
            }
            List<String> words = new ArrayList<>(List.of("flush", src.instance, "--to", dst.host + ":" + facts.instance(),
                    "--target-facts", facts.toJson()));
            words.addAll(rest);
            flushStreams(io);
            // The claim is taken away only once the source's flush has ended for sure: when ssh
            // fails (exit 255, a dropped connection) the flush may still be running there, so
            // the claim is left to end by itself.
            boolean ended = false;
            try {
                int code = src.host == null ? new Cli(ctx, Commands.all()).run(words, io)
                        : remote.runAttached(src.host, words, io.terminal(), true);
                ended = true;
                return code;
            } finally {
                if (facts.claim() != null && !ended) {
                    flushStreams(io);
                    error(io, dst.host + ": claim " + facts.claim() + " left in place (the flush on " + (src.host == null
                            ? "this host" : src.host) + " may still be running); it ends by itself within "
                            + IncomingClaims.LIFETIME.toMinutes() + " minutes");
                } else if (facts.claim() != null) {
                    flushStreams(io);
                    String why = remote.releaseClaim(dst.host, facts.instance(), facts.claim());
                    if (why != null) {
                        error(io, dst.host + ": claim " + facts.claim() + " was not taken away (it ends by itself "
                                + "within " + IncomingClaims.LIFETIME.toMinutes() + " minutes): " + why);
                    }
                }
            }
        } catch (UsageException e) {
            error(io, e.getMessage());
            return ExitCodes.USAGE;
        } catch (CancelledException e) {
            io.err().println("mfshell: interrupted");
            return ExitCodes.INTERRUPTED;
        } catch (MfshellException e) {
            error(io, e.getMessage());
            return e.exitCode();
        } catch (RuntimeException e) {
            error(io, e.getMessage() == null ? e.toString() : e.getMessage());
            return ExitCodes.FAILURE;
        } finally {
            flushStreams(io);
        }
    }

    /** An instance named {@code NAME} (this host) or {@code HOST:NAME}. */
    record Place(String host, String instance) {
    }

    static Place place(String word, String what) {
        int colon = word.lastIndexOf(':');
        String host = colon >= 0 ? word.substring(0, colon) : null;
        String instance = colon >= 0 ? word.substring(colon + 1) : word;
        if (host != null) {
            if (host.isEmpty()) {
                throw new UsageException("flush: " + what + " " + Quote.quote(word) + " has an empty host before ':'");
            }
            try {
                Ssh.checkDestination(host);
            } catch (UsageException e) {
                throw new UsageException(e.getMessage().replaceFirst("^--on: ", "flush: " + what + ": "));
            }
        }
        InstanceNames.require(instance);
        return new Place(host, instance);
    }

    /** The options that pass to the host where the flush runs, as typed (modes included). */
    private static List<String> passThrough(ParsedArgs p) {
        List<String> out = new ArrayList<>();
        p.options().forEach((k, vs) -> {
            if (k.equals("to")) {
                return;
            }
            boolean flag = p.spec().option(k).map(o -> o.isFlag()).orElse(true);
            for (String v : vs) {
                out.add("--" + k);
                if (!flag) {
                    out.add(v);
                }
            }
        });
        return out;
    }

    private static void flushStreams(Io io) {
        io.out().flush();
        io.err().flush();
    }

    private static void error(Io io, String message) {
        for (String line : Text.wrap("mfshell: " + Quote.oneLine(message), io.width(), "  ")) {
            io.err().println(line);
        }
    }
}
