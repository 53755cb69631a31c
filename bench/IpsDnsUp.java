// Benchmark helper (not part of mfshell): serves the DNS tests' zones for a lab (relay names under
// smtp.lab.invalid, the lab's reverse zone, four test DNSBL zones; see src/test/.../dns/LabZones)
// from a real NSD on HOST:53, writes the matching DNSBL lists file, prints "ready" and keeps
// serving until its stdin closes. Run with the test classpath (target/test-classes, target/classes
// and the dependencies).
// Usage: java -cp CP bench/IpsDnsUp.java LAB_PREFIX HOST DIR
import java.nio.file.Files;
import java.nio.file.Path;
import org.mfshell.dns.DnsServer;
import org.mfshell.dns.LabZones;

public class IpsDnsUp {
    public static void main(String[] a) throws Exception {
        Path dir = Files.createDirectories(Path.of(a[2]));
        Files.writeString(dir.resolve("lists.txt"), LabZones.listsFile());
        try (DnsServer s = DnsServer.start(Files.createDirectories(dir.resolve("nsd")), a[1], LabZones.zones(a[0], a[1]))) {
            System.out.println("ready");
            System.out.flush();
            while (System.in.read() >= 0) {
                // serve until stdin closes
            }
        }
    }
}
