package org.mfshell.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.mfshell.core.MfshellException;
import org.mfshell.core.Quote;

/**
 * Writes the configuration of lab instances and of the provider: main.cf and master.cf from
 * Debian's master.cf template, edited with {@code postconf -e/-F/-M/-P}. A config dir is built
 * under a temporary name and renamed into place, so discovery never sees a half-made one.
 * Errors: {@link MfshellException} (no template, postconf failure, I/O error).
 */
final class LabConfig {
    static final List<String> MASTER_TEMPLATES = List.of("/etc/postfix/master.cf.proto", "/usr/share/postfix/master.cf.dist");
    static final List<String> BLOCKED_DOMAINS = List.of("hotmail.com", "outlook.com");

    private final Lab lab;
    private final LabTools tools;

    LabConfig(Lab lab, LabTools tools) {
        this.lab = lab;
        this.tools = tools;
    }

    static Path masterTemplate() {
        for (String t : MASTER_TEMPLATES) {
            if (Files.isReadable(Path.of(t))) {
                return Path.of(t);
            }
        }
        throw new MfshellException("no master.cf template (" + String.join(" or ", MASTER_TEMPLATES)
                + "): install the Debian package 'postfix' (apt-get install postfix)");
    }

    /** Creates the config dir of one instance, with its queue, data and log directories. */
    void writeInstance(String name) {
        Path dir = lab.configDir(name);
        String addr = lab.address(name);
        Path tmp = prepare(dir, lab.queueDir(name), lab.dataDir(name), lab.logFile(name).getParent());
        Map<String, String> main = common(name + ".lab.invalid", "postfix-" + name, lab.queueDir(name), lab.dataDir(name),
                lab.logFile(name));
        main.put("relayhost", "[" + lab.providerAddress() + "]:25");
        main.put("queue_run_delay", "60s");
        main.put("minimal_backoff_time", "60s");
        main.put("maximal_backoff_time", "120s");
        main.put("delay_warning_time", "0h");
        edit(tmp, main, addr);
        // The wiki's one-line form: "smtp unix - - - - - smtp -o smtp_bind_address=ADDR".
        Path master = tmp.resolve("master.cf");
        List<String> lines = read(master);
        List<String> out = new ArrayList<>();
        boolean replaced = false;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.matches("smtp\\s+unix\\s.*")) {
                while (i + 1 < lines.size() && lines.get(i + 1).matches("\\s+\\S.*")) {
                    i++;
                }
                out.add("smtp unix - - - - - smtp -o smtp_bind_address=" + addr);
                replaced = true;
            } else {
                out.add(l);
            }
        }
        if (!replaced) {
            throw new MfshellException(master + " has no 'smtp unix' service to bind to " + addr);
        }
        LabTools.writeAtomically(master, String.join("\n", out) + "\n");
        // The wiki's procedure expects this line, commented out, at the end of main.cf.
        Path mainCf = tmp.resolve("main.cf");
        LabTools.writeAtomically(mainCf, String.join("\n", read(mainCf)) + "\n"
                + "#transport_maps = hash:" + dir.resolve("transport.relay") + "\n");
        LabTools.backdate(mainCf);
        LabTools.backdate(master);
        String bind = tools.postconf.override(tmp, "smtp/unix/smtp_bind_address");
        if (!bind.equals(addr)) {
            throw new MfshellException(master + ": smtp_bind_address is " + Quote.quote(bind) + ", expected " + addr);
        }
        install(tmp, dir);
    }

    /** Creates the provider: smtpd on the provider address, access maps, everything accepted is discarded. */
    void writeProvider(Set<String> blocked) {
        Path dir = lab.providerConfigDir();
        Path tmp = prepare(dir, lab.providerQueueDir(), lab.providerDataDir(), lab.providerLogFile().getParent());
        Map<String, String> main = common("provider.lab.invalid", "provider", lab.providerQueueDir(),
                lab.providerDataDir(), lab.providerLogFile());
        main.put("default_transport", "discard:accepted by the lab provider");
        main.put("relay_transport", "discard:accepted by the lab provider");
        main.put("smtpd_relay_restrictions", "permit_mynetworks, reject");
        List<String> classes = new ArrayList<>();
        for (String name : Lab.INSTANCES) {
            String cls = blockClass(name);
            classes.add(cls);
            main.put(cls, "check_recipient_access texthash:" + dir.resolve("block-" + name));
        }
        main.put("smtpd_restriction_classes", String.join(", ", classes));
        main.put("smtpd_recipient_restrictions", "check_client_access texthash:" + dir.resolve("blocked-clients")
                + ", check_recipient_access regexp:" + dir.resolve("recipients") + ", permit");
        main.put("smtpd_error_sleep_time", "0s");
        edit(tmp, main, lab.providerAddress());
        for (String name : Lab.INSTANCES) {
            StringBuilder sb = new StringBuilder("# Recipient domains this provider defers when " + name
                    + " is blocked (see blocked-clients).\n");
            for (String d : BLOCKED_DOMAINS) {
                sb.append(d).append(' ').append(blockReply(name)).append('\n');
            }
            LabTools.writeAtomically(tmp.resolve("block-" + name), sb.toString());
        }
        LabTools.writeAtomically(tmp.resolve("recipients"), """
                # Recipients the lab provider refuses, whatever the client.
                /^unknown[^@]*@/ 550 5.1.1 User unknown
                /^full[^@]*@/ 452 4.2.2 Mailbox full
                """);
        LabTools.writeAtomically(tmp.resolve("blocked-clients"), blockedClients(blocked));
        install(tmp, dir);
    }

    /** The Microsoft-style "IP reputation" deferral the provider gives a blocked instance. */
    String blockReply(String name) {
        return "451 4.7.651 The mail server [" + lab.address(name) + "] has been temporarily rate limited due to IP "
                + "reputation. For e-mail delivery information, see https://postmaster.live.com (S775) ["
                + name + ".lab.invalid]";
    }

    /** Contents of the provider's client map: one line per blocked instance address. */
    String blockedClients(Set<String> blocked) {
        StringBuilder sb = new StringBuilder("# Client addresses whose hotmail.com/outlook.com mail is deferred "
                + "(mfshell lab block|unblock NAME).\n");
        for (String name : Lab.INSTANCES) {
            if (blocked.contains(name)) {
                sb.append(lab.address(name)).append(' ').append(blockClass(name)).append('\n');
            }
        }
        return sb.toString();
    }

    static String blockClass(String name) {
        return "block_" + name.replace('-', '_');
    }

    private Map<String, String> common(String hostname, String syslogName, Path queueDir, Path dataDir, Path logFile) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("compatibility_level", "3.6");
        m.put("myhostname", hostname);
        m.put("syslog_name", syslogName);
        m.put("queue_directory", queueDir.toString());
        m.put("data_directory", dataDir.toString());
        m.put("maillog_file", logFile.toString());
        m.put("maillog_file_prefixes", "/var, /dev/stdout, " + logFile.getParent());
        m.put("inet_interfaces", "loopback-only");
        m.put("inet_protocols", "ipv4");
        m.put("mynetworks", "127.0.0.0/8");
        m.put("mydestination", "");
        m.put("alias_maps", "");
        m.put("alias_database", "");
        m.put("local_recipient_maps", "");
        m.put("smtp_dns_support_level", "disabled");
        m.put("smtpd_peername_lookup", "no");
        m.put("biff", "no");
        m.put("append_dot_mydomain", "no");
        return m;
    }

    /** main.cf values, chroot off, no 127.0.0.1:25 listener, smtpd on ADDR:25, relay's syslog_name override removed. */
    private void edit(Path tmp, Map<String, String> main, String addr) {
        tools.postconf.edit(tmp, main);
        tools.postconf.editFields(tmp, "*/*/chroot = n");
        tools.postconf.removeService(tmp, "smtp/inet");
        tools.postconf.putService(tmp, addr + ":25/inet = " + addr + ":25 inet n - n - - smtpd");
        tools.postconf.removeOverride(tmp, "relay/unix/syslog_name");
    }

    /** Makes the runtime directories and a fresh temporary config dir holding the template master.cf. */
    private Path prepare(Path dir, Path queueDir, Path dataDir, Path logDir) {
        Path tmp = dir.resolveSibling("." + dir.getFileName() + ".new");
        try {
            deleteTree(tmp);
            Files.createDirectories(tmp);
            Files.createDirectories(queueDir);
            Files.createDirectories(logDir);
            Files.createDirectories(dataDir);
            UserPrincipalLookupService users = dataDir.getFileSystem().getUserPrincipalLookupService();
            UserPrincipal postfix = users.lookupPrincipalByName("postfix");
            GroupPrincipal group = users.lookupPrincipalByGroupName("postfix");
            Files.setOwner(dataDir, postfix);
            Files.getFileAttributeView(dataDir, java.nio.file.attribute.PosixFileAttributeView.class).setGroup(group);
            Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
            Files.copy(masterTemplate(), tmp.resolve("master.cf"), StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(tmp.resolve("main.cf"), "# Generated by mfshell lab for " + dir.getFileName() + "\n");
            return tmp;
        } catch (IOException e) {
            throw new MfshellException("cannot prepare " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates the queue subdirectories that are missing, with the owner, group and mode that
     * Postfix's own postfix-files lists for {@code $queue_directory/...}. Returns false when
     * postfix-files cannot be found (then {@code postfix start} must create them itself).
     */
    boolean ensureQueueLayout(Path queueDir) {
        Path spec = Path.of("/etc/postfix/postfix-files");
        if (!Files.isReadable(spec)) {
            return false;
        }
        try {
            UserPrincipalLookupService users = queueDir.getFileSystem().getUserPrincipalLookupService();
            for (String line : Files.readAllLines(spec)) {
                String[] f = line.split(":");
                if (f.length < 5 || !f[0].startsWith("$queue_directory/") || !f[1].equals("d")) {
                    continue;
                }
                Path d = queueDir.resolve(f[0].substring("$queue_directory/".length()));
                if (Files.isDirectory(d)) {
                    continue;
                }
                Files.createDirectories(d);
                Files.setOwner(d, users.lookupPrincipalByName(name(f[2])));
                if (!f[3].equals("-")) {
                    Files.getFileAttributeView(d, java.nio.file.attribute.PosixFileAttributeView.class)
                            .setGroup(users.lookupPrincipalByGroupName(name(f[3])));
                }
                Files.setPosixFilePermissions(d, permissions(f[4]));
            }
            return true;
        } catch (IOException | RuntimeException e) {
            throw new MfshellException("cannot create the queue directories under " + queueDir + ": " + e.getMessage(), e);
        }
    }

    private static String name(String field) {
        return switch (field) {
            case "$mail_owner" -> "postfix";
            case "$setgid_group" -> "postdrop";
            default -> field;
        };
    }

    private static Set<java.nio.file.attribute.PosixFilePermission> permissions(String octal) {
        int mode = Integer.parseInt(octal, 8);
        String rwx = "rwxrwxrwx";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            sb.append((mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return PosixFilePermissions.fromString(sb.toString());
    }

    private static void install(Path tmp, Path dir) {
        LabTools.backdate(tmp.resolve("main.cf"));
        LabTools.backdate(tmp.resolve("master.cf"));
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new MfshellException("cannot install " + dir + ": " + e.getMessage(), e);
        }
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new MfshellException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }
}
