package org.mfshell.shell;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.mfshell.AppContext;
import org.mfshell.cli.Io;
import org.mfshell.cli.ParsedArgs;
import org.mfshell.dns.DnsCache;
import org.mfshell.dns.DnsClient;

/**
 * Builds the {@link DnsClient} of a command from its checked {@link DnsOptions} and saves its
 * cache afterwards. Kept apart from DnsOptions so that a command which only reads the options
 * (health without --dnsbl) never loads dnsjava.
 */
final class DnsClients {
    private DnsClients() {
    }

    /** The client, built after every option was checked (resolv.conf is read only without --resolver). */
    static DnsClient create(ParsedArgs args, AppContext ctx, List<InetSocketAddress> servers, Duration timeout) {
        List<InetSocketAddress> s = servers != null ? servers : DnsClient.resolvConfServers(DnsClient.RESOLV_CONF);
        DnsCache cache = args.flag("no-cache") ? null : DnsCache.open(ctx.stateDir());
        return new DnsClient(s, timeout, cache);
    }

    /** Writes the cache (when one is used) and prints its warnings. */
    static void save(DnsClient dns, Io io) {
        DnsCache c = dns.cache();
        if (c != null) {
            c.save();
            c.warnings().forEach(w -> io.err().println("mfshell: warning: " + w));
        }
    }
}
