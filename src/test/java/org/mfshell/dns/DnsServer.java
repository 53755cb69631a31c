package org.mfshell.dns;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A real authoritative DNS server for the DNS tests: NSD from Debian's nsd package (BIND's named
 * listens only on addresses configured on an interface; NSD binds the address it is given, and
 * Linux lets a socket bind any 127/8 address, so no interface is touched). It runs on one
 * loopback address (MFSHELL_TEST_DNS_PREFIX, default 127.0.72, host .1) port 53, with its config
 * and zone files in a temp dir, in the foreground (nsd -d), stopped by {@link #close()}. Zones
 * are given as origin -> zone text. Also {@link #silentResolver}: a UDP socket that reads queries and never
 * answers. Without root or nsd the tests fail in CI and are skipped visibly elsewhere.
 */
public final class DnsServer implements AutoCloseable {
    private static final String NSD = "/usr/sbin/nsd";
    private final Process process;
    private final InetSocketAddress address;
    private final Path dir;

    private DnsServer(Process process, InetSocketAddress address, Path dir) {
        this.process = process;
        this.address = address;
        this.dir = dir;
    }

    public static String prefix() {
        return System.getenv().getOrDefault("MFSHELL_TEST_DNS_PREFIX", "127.0.72");
    }

    public InetSocketAddress address() {
        return address;
    }

    /** {@code 127.0.72.1} (port 53 is implied), as --resolver takes it. */
    public String resolverArg() {
        return address.getAddress().getHostAddress();
    }

    public static void requireAvailable() {
        String why = null;
        if (!Files.isExecutable(Path.of(NSD))) {
            why = "nsd not installed (apt-get install nsd)";
        } else if (!"root".equals(System.getProperty("user.name"))) {
            why = "nsd needs root to bind port 53";
        }
        if (why == null) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("DNS test needs BIND: " + why + " (CI=true: it must run)");
        }
        System.err.println("SKIPPED: DNS test needs BIND: " + why);
        Assumptions.abort(why);
    }

    /** Starts nsd on {@code host} (e.g. 127.0.72.1) port 53 serving {@code zones} (origin -> zone text). */
    public static DnsServer start(Path dir, String host, Map<String, String> zones) throws Exception {
        requireAvailable();
        StringBuilder conf = new StringBuilder();
        conf.append("server:\n  ip-address: ").append(host).append("\n  port: 53\n  do-ip6: no\n")
                .append("  username: \"\"\n  chroot: \"\"\n  zonesdir: \"").append(dir).append("\"\n")
                .append("  pidfile: \"").append(dir.resolve("nsd.pid")).append("\"\n")
                .append("  database: \"\"\n  zonelistfile: \"").append(dir.resolve("zone.list")).append("\"\n")
                .append("  xfrdfile: \"").append(dir.resolve("xfrd.state")).append("\"\n")
                .append("  xfrdir: \"").append(dir).append("\"\n")
                .append("  logfile: \"").append(dir.resolve("nsd.log")).append("\"\n")
                .append("  server-count: 1\n  verbosity: 1\n  hide-version: yes\n")
                .append("remote-control:\n  control-enable: no\n");
        for (Map.Entry<String, String> z : zones.entrySet()) {
            Path f = dir.resolve(z.getKey() + ".zone");
            Files.writeString(f, z.getValue(), StandardCharsets.UTF_8);
            conf.append("zone:\n  name: \"").append(z.getKey()).append("\"\n  zonefile: \"").append(f)
                    .append("\"\n");
        }
        Path confFile = dir.resolve("nsd.conf");
        Files.writeString(confFile, conf.toString(), StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(NSD, "-d", "-c", confFile.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nsd.out").toFile()).start();
        InetSocketAddress addr = new InetSocketAddress(InetAddress.getByName(host), 53);
        DnsServer s = new DnsServer(p, addr, dir);
        // A test JVM that ends without close() must not leave nsd holding the address.
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroy, "nsd-stop"));
        for (String zone : zones.keySet()) {
            s.awaitAnswering(zone, Duration.ofSeconds(20));
        }
        return s;
    }

    private void awaitAnswering(String zone, Duration max) throws Exception {
        long end = System.nanoTime() + max.toNanos();
        SimpleResolver r = new SimpleResolver(address);
        r.setTimeout(Duration.ofMillis(300));
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException("nsd exited " + process.exitValue() + ":\n" + log());
            }
            try {
                Message m = r.send(Message.newQuery(Record.newRecord(Name.fromString(zone + "."), Type.SOA, DClass.IN)));
                if (m.getRcode() == Rcode.NOERROR && m.getSection(1).size() > 0) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("nsd did not answer for " + zone + " within " + max + ":\n" + log());
    }

    public String log() {
        List<String> parts = new ArrayList<>();
        for (String f : List.of("nsd.out", "nsd.log")) {
            try {
                parts.add(Files.readString(dir.resolve(f)));
            } catch (IOException e) {
                parts.add("(" + f + ": " + e.getMessage() + ")");
            }
        }
        return String.join("\n", parts);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** A UDP "resolver" on {@code host}:53 that reads every query and never answers; close it to stop. */
    public static DatagramSocket silentResolver(String host) throws IOException {
        DatagramSocket sock = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host), 53));
        Thread t = new Thread(() -> {
            byte[] buf = new byte[4096];
            while (!sock.isClosed()) {
                try {
                    sock.receive(new DatagramPacket(buf, buf.length));
                } catch (IOException e) {
                    return;
                }
            }
        }, "silent-resolver");
        t.setDaemon(true);
        t.start();
        return sock;
    }
}
