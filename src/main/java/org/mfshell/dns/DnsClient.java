package org.mfshell.dns;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.mfshell.core.MfshellException;
import org.mfshell.warmup.WarmupService;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.config.ResolvConfResolverConfigProvider;

/**
 * Asks DNS questions through dnsjava, asynchronously, each with a hard time bound (the timeout
 * per server, servers tried in turn, plus 0.25 s): the servers of
 * {@code --resolver IP[:PORT]} or, without it, the {@code nameserver} lines of /etc/resolv.conf
 * (read by dnsjava's own resolv.conf parser; none there means 127.0.0.1, as resolv.conf(5) says).
 * Answers come from and go to a {@link DnsCache} when one is given. A query never throws: a
 * timeout, SERVFAIL, REFUSED or network error is a FAILED {@link DnsAnswer} ("cannot tell").
 * Errors: {@link MfshellException} when resolv.conf cannot be read.
 */
public final class DnsClient {
    public static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");

    private final List<InetSocketAddress> servers;
    private final Duration timeout;
    private final Resolver resolver;
    private final DnsCache cache;
    private final String cacheScope;

    public DnsClient(List<InetSocketAddress> servers, Duration timeout, DnsCache cache) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no DNS server");
        }
        this.servers = List.copyOf(servers);
        this.timeout = timeout;
        this.cache = cache;
        List<Resolver> simple = new ArrayList<>();
        for (InetSocketAddress s : servers) {
            SimpleResolver r = new SimpleResolver(s);
            r.setTimeout(timeout);
            simple.add(r);
        }
        if (simple.size() == 1) {
            this.resolver = simple.get(0);
        } else {
            // Each server gets the whole timeout in turn (dnsjava's timeout here is the total).
            ExtendedResolver e = new ExtendedResolver(simple);
            e.setTimeout(timeout.multipliedBy(simple.size()));
            e.setRetries(1);
            this.resolver = e;
        }
        StringBuilder scope = new StringBuilder();
        servers.forEach(s -> scope.append(scope.length() == 0 ? "" : ",").append(text(s)));
        this.cacheScope = scope.toString();
    }

    /** The servers of resolv.conf ({@code file}), or 127.0.0.1:53 when it names none. */
    public static List<InetSocketAddress> resolvConfServers(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            ResolvConf p = new ResolvConf();
            p.read(in);
            List<InetSocketAddress> s = p.servers();
            return s.isEmpty() ? List.of(new InetSocketAddress("127.0.0.1", 53)) : s;
        } catch (NoSuchFileException e) {
            return List.of(new InetSocketAddress("127.0.0.1", 53));
        } catch (IOException e) {
            throw new MfshellException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** dnsjava's resolv.conf parser, pointed at a file of our choice. */
    private static final class ResolvConf extends ResolvConfResolverConfigProvider {
        void read(InputStream in) throws IOException {
            reset();
            parseResolvConf(in);
        }
    }

    /** The cache in use, or null. */
    public DnsCache cache() {
        return cache;
    }

    public List<InetSocketAddress> servers() {
        return servers;
    }

    public Duration timeout() {
        return timeout;
    }

    /** The servers as {@code 127.0.0.53:53}, {@code [::1]:53}, comma separated. */
    public String serversText() {
        return cacheScope;
    }

    private static String text(InetSocketAddress s) {
        String h = s.getAddress().getHostAddress();
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + s.getPort();
    }

    /** One question; completes within the timeout (plus a little), never exceptionally. */
    public CompletableFuture<DnsAnswer> query(String name, RecordType type) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        String key = cacheScope + " " + n.toLowerCase(Locale.ROOT) + " " + type;
        long now = System.currentTimeMillis();
        if (cache != null) {
            DnsAnswer hit = cache.get(key, n, type, now);
            if (hit != null) {
                return CompletableFuture.completedFuture(hit);
            }
        }
        Message q;
        try {
            q = Message.newQuery(Record.newRecord(Name.fromString(n, Name.root), type.code(), DClass.IN));
        } catch (TextParseException e) {
            return CompletableFuture.completedFuture(DnsAnswer.failed(n, type, "bad name: " + e.getMessage()));
        }
        long hardBound = timeout.toMillis() * servers.size() + 250;
        CompletableFuture<DnsAnswer> f;
        try {
            f = resolver.sendAsync(q).toCompletableFuture()
                    .orTimeout(hardBound, TimeUnit.MILLISECONDS)
                    .handle((m, err) -> err != null ? DnsAnswer.failed(n, type, reason(err)) : read(n, type, m));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(DnsAnswer.failed(n, type, reason(e)));
        }
        if (cache != null) {
            f = f.thenApply(a -> {
                cache.put(key, a, System.currentTimeMillis());
                return a;
            });
        }
        return f;
    }

    /** A name's A and AAAA records together, for warmup status: addresses, smallest TTL, or the error. */
    public WarmupService.DnsRecords addresses(String name) {
        CompletableFuture<DnsAnswer> a = query(name, RecordType.A);
        CompletableFuture<DnsAnswer> aaaa = query(name, RecordType.AAAA);
        List<String> out = new ArrayList<>();
        long ttl = Long.MAX_VALUE;
        for (DnsAnswer x : List.of(a.join(), aaaa.join())) {
            if (x.status() == DnsAnswer.Status.OK) {
                out.addAll(x.data());
                ttl = Math.min(ttl, x.ttl());
            }
        }
        if (out.isEmpty()) {
            DnsAnswer failed = !a.join().known() ? a.join() : !aaaa.join().known() ? aaaa.join() : null;
            return new WarmupService.DnsRecords(List.of(), 0, failed == null ? null : failed.error());
        }
        return new WarmupService.DnsRecords(List.copyOf(out), ttl, null);
    }

    private static String reason(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        // dnsjava reports a timeout as a plain IOException "Timed out while trying to resolve ...".
        if (c instanceof TimeoutException || c instanceof InterruptedIOException
                || c instanceof IOException && c.getMessage() != null && c.getMessage().startsWith("Timed out")) {
            return "timeout";
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }

    static DnsAnswer read(String name, RecordType type, Message m) {
        int rc = m.getRcode();
        if (rc == Rcode.NXDOMAIN) {
            return new DnsAnswer(name, type, DnsAnswer.Status.NXDOMAIN, List.of(), negativeTtl(m), null, false);
        }
        if (rc != Rcode.NOERROR) {
            return DnsAnswer.failed(name, type, Rcode.string(rc));
        }
        List<String> data = new ArrayList<>();
        long ttl = Long.MAX_VALUE;
        for (Record r : m.getSection(Section.ANSWER)) {
            if (r.getType() != type.code()) {
                continue;
            }
            String d = switch (type) {
                case A -> ((ARecord) r).getAddress().getHostAddress();
                case AAAA -> ((AAAARecord) r).getAddress().getHostAddress();
                case PTR -> ((PTRRecord) r).getTarget().toString(true);
                case TXT -> String.join("", ((TXTRecord) r).getStrings());
            };
            if (!data.contains(d)) {
                data.add(d);
            }
            ttl = Math.min(ttl, r.getTTL());
        }
        if (data.isEmpty()) {
            return new DnsAnswer(name, type, DnsAnswer.Status.NODATA, List.of(), negativeTtl(m), null, false);
        }
        return new DnsAnswer(name, type, DnsAnswer.Status.OK, List.copyOf(data), ttl, null, false);
    }

    /** RFC 2308: the smaller of the SOA's TTL and its minimum field; 0 (do not cache) without a SOA. */
    private static long negativeTtl(Message m) {
        for (Record r : m.getSection(Section.AUTHORITY)) {
            if (r instanceof SOARecord soa) {
                return Math.min(soa.getTTL(), soa.getMinimum());
            }
        }
        return 0;
    }
}
