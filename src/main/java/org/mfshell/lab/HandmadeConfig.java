package org.mfshell.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.mfshell.core.MfshellException;
import org.mfshell.postfix.Postmap;
import org.mfshell.postfix.Postmulti;
import org.mfshell.postfix.ProcessRunner;

/**
 * Builds the handmade lab shape under the lab root the way a Debian admin builds a relay, never
 * writing /etc.
 *
 * <p>The default instance, {@code ROOT/etc/postfix}: the files Debian's postfix package puts in
 * /etc/postfix (copied from there: main.cf.proto, master.cf.proto, postfix-files, ...), master.cf
 * from master.cf.proto, main.cf from Debian's /usr/share/postfix/main.cf.debian plus its queue and
 * data directories under ROOT and {@code master_service_disable = inet}. It is never started, so
 * its queue directory has no subdirectories. Then the real postmulti ({@link Postmulti}, run in a
 * private mount namespace that puts ROOT/etc/postfix on /etc/postfix): {@code -e init}, and per
 * instance {@code -I postfix-NAME -e create config_directory=ROOT/etc/postfix-NAME} and
 * {@code -e enable}. postmulti derives ROOT/var/spool/postfix-NAME and ROOT/var/lib/postfix-NAME.
 *
 * <p>What the lab then edits, as the admin would, and nothing else: master.cf gets chroot off for
 * every service ({@code postconf -F} on every service's chroot field; the lab needs it: a chrooted instance would need
 * its own copy of /etc files and a syslog socket in its queue directory), smtpd on
 * {@code ADDR:smtp} instead of {@code smtp} (edited in place) and the wiki's
 * {@code smtp unix - - - - - smtp -o smtp_bind_address=ADDR}. main.cf loses postmulti's
 * {@code master_service_disable = inet} and gets {@code relayhost = [PROVIDER]:25} with
 * {@code smtp_dns_support_level = disabled} (the provider plays the internet, there is no DNS), and
 * the default lab's retry times (queue_run_delay 60s, backoff 60s/120s). aol-a also gets its own
 * active {@code transport_maps = hash:ROOT/etc/postfix-aol-a/transport}, built with postmap,
 * routing aol.com, aim.com and example.net to the provider. Left as postmulti and Debian leave
 * them: no myhostname anywhere (every instance has the box's one hostname), syslog_name
 * {@code postfix-NAME} (postmulti's default from multi_instance_name), no maillog_file (syslog
 * only), {@code authorized_submit_users =} empty (the seed submits over SMTP, so sendmail need
 * not work), Debian's {@code relay} service with its {@code -o syslog_name=postfix/$service_name}.
 *
 * <p>A finished instance's config files are copied to {@code ROOT/lab/pristine/postfix-NAME}: that
 * copy marks it complete and is what {@link #restore} puts back. Errors: {@link MfshellException}
 * (missing Debian file, postmulti/postconf/postmap failure, I/O error).
 */
final class HandmadeConfig {
    static final Path ETC_POSTFIX = Path.of("/etc/postfix");
    static final Path MAIN_CF_DEBIAN = Path.of("/usr/share/postfix/main.cf.debian");
    /** What Debian's postfix package installs in /etc/postfix, besides main.cf and master.cf. */
    static final List<String> PACKAGE_FILES = List.of("dynamicmaps.cf", "dynamicmaps.cf.d", "main.cf.proto",
            "master.cf.proto", "makedefs.out", "post-install", "postfix-files", "postfix-files.d", "postfix-script", "sasl");
    static final List<String> AOL_TRANSPORT_DOMAINS = List.of("aol.com", "aim.com", "example.net");
    private static final List<String> PRISTINE_FILES = List.of("main.cf", "master.cf", "transport", "transport.db");

    private final Lab lab;
    private final LabTools tools;
    private final Postmulti postmulti;
    private final Postmap postmap;

    HandmadeConfig(Lab lab, LabTools tools, ProcessRunner runner, Path syslogSocket) {
        this.lab = lab;
        this.tools = tools;
        this.postmulti = new Postmulti(runner, lab.defaultConfigDir(), syslogSocket);
        this.postmap = new Postmap(runner);
    }

    /** Why the handmade shape cannot be built here (a Debian file missing), or null. */
    static String missingDebianFile() {
        for (String f : List.of("main.cf.proto", "master.cf.proto", "postfix-files")) {
            if (!Files.isReadable(ETC_POSTFIX.resolve(f))) {
                return ETC_POSTFIX.resolve(f) + " is missing: install the Debian package 'postfix' (apt-get install postfix)";
            }
        }
        if (!Files.isReadable(MAIN_CF_DEBIAN)) {
            return MAIN_CF_DEBIAN + " is missing: install the Debian package 'postfix'";
        }
        return null;
    }

    boolean defaultInstanceExists() {
        return Files.isRegularFile(lab.defaultConfigDir().resolve("main.cf"));
    }

    /** Makes the default instance and runs {@code postmulti -e init}; built in a temporary dir, renamed into place. */
    void writeDefaultInstance() {
        String missing = missingDebianFile();
        if (missing != null) {
            throw new MfshellException(missing);
        }
        Path dir = lab.defaultConfigDir();
        Path tmp = dir.resolveSibling("." + dir.getFileName() + ".new");
        try {
            LabConfig.deleteTree(tmp);
            Files.createDirectories(tmp);
            for (String name : PACKAGE_FILES) {
                Path src = ETC_POSTFIX.resolve(name);
                if (Files.exists(src, LinkOption.NOFOLLOW_LINKS)) {
                    copyTree(src, tmp.resolve(name));
                }
            }
            Files.copy(ETC_POSTFIX.resolve("master.cf.proto"), tmp.resolve("master.cf"));
            Files.copy(MAIN_CF_DEBIAN, tmp.resolve("main.cf"));
            Path queue = lab.defaultQueueDir();
            Path data = lab.defaultDataDir();
            Files.createDirectories(queue);
            Files.createDirectories(data);
            UserPrincipalLookupService users = data.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(data, users.lookupPrincipalByName("postfix"));
            Files.getFileAttributeView(data, PosixFileAttributeView.class).setGroup(users.lookupPrincipalByGroupName("postfix"));
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new MfshellException("cannot prepare " + dir + ": " + e.getMessage(), e);
        }
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("queue_directory", lab.defaultQueueDir().toString());
        defaults.put("data_directory", lab.defaultDataDir().toString());
        defaults.put("master_service_disable", "inet");
        tools.postconf.edit(tmp, defaults);
        LabTools.backdate(tmp.resolve("main.cf"));
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new MfshellException("cannot install " + dir + ": " + e.getMessage(), e);
        }
        postmulti.init();
        LabTools.backdate(dir.resolve("main.cf"));
    }

    boolean complete(String name) {
        return Files.isRegularFile(pristine(name).resolve("main.cf"));
    }

    /**
     * Creates one instance with postmulti and makes the admin's edits. Refuses an instance that an
     * interrupted earlier run left half made (postmulti has registered it already).
     */
    void writeInstance(String name) {
        Path dir = lab.configDir(name);
        String addr = lab.address(name);
        if (Files.exists(dir)) {
            throw new MfshellException(dir + " was left half made by an interrupted 'lab up': run 'lab down',"
                    + " remove " + lab.root() + " and run 'lab up' again");
        }
        Path main = dir.resolve("main.cf");
        Path master = dir.resolve("master.cf");
        // Postfix programs that read main.cf or master.cf wait until it is 2 s old: every file
        // just written is backdated before the next program reads it.
        LabTools.backdate(lab.defaultConfigDir().resolve("main.cf"));
        postmulti.create("postfix-" + name, dir);
        postmulti.enable("postfix-" + name);
        backdate(main, master);
        tools.postconf.editFields(dir, "*/*/chroot = n");
        LabTools.writeAtomically(master, bindServices(read(master), addr, master));
        backdate(main, master);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("relayhost", "[" + lab.providerAddress() + "]:25");
        settings.put("smtp_dns_support_level", "disabled");
        settings.put("queue_run_delay", "60s");
        settings.put("minimal_backoff_time", "60s");
        settings.put("maximal_backoff_time", "120s");
        if (name.equals("aol-a")) {
            Path transport = dir.resolve("transport");
            StringBuilder sb = new StringBuilder();
            for (String d : AOL_TRANSPORT_DOMAINS) {
                sb.append(d).append("\tsmtp:[").append(lab.providerAddress()).append("]:25\n");
            }
            LabTools.writeAtomically(transport, sb.toString());
            backdate(main, master);
            postmap.build(dir, transport);
            settings.put("transport_maps", "hash:" + transport);
        }
        tools.postconf.edit(dir, settings);
        backdate(main, master);
        checkOnlyOwnAddress(dir, addr);
        // Last: from here on master starts smtpd.
        tools.postconf.remove(dir, "master_service_disable");
        backdate(main, master);
        snapshot(name);
    }

    private static void backdate(Path main, Path master) {
        LabTools.backdate(main);
        LabTools.backdate(master);
    }

    /**
     * master.cf with smtpd on {@code ADDR:smtp} and the wiki's one-line smtp client bound to ADDR;
     * lines already in that form are kept.
     */
    static String bindServices(List<String> lines, String addr, Path file) {
        List<String> out = new ArrayList<>();
        boolean smtpd = false;
        boolean client = false;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            String[] f = l.trim().split("\\s+");
            boolean service = !l.isEmpty() && !Character.isWhitespace(l.charAt(0)) && !l.startsWith("#") && f.length >= 8;
            if (service && f[1].equals("inet") && f[7].equals("smtpd") && (f[0].equals("smtp") || f[0].equals(addr + ":smtp"))) {
                out.add(addr + ":smtp inet n - n - - smtpd");
                smtpd = true;
            } else if (service && f[0].equals("smtp") && f[1].equals("unix") && f[7].equals("smtp")) {
                while (i + 1 < lines.size() && lines.get(i + 1).matches("\\s+\\S.*")) {
                    i++;
                }
                out.add("smtp unix - - - - - smtp -o smtp_bind_address=" + addr);
                client = true;
            } else {
                out.add(l);
            }
        }
        if (!smtpd || !client) {
            throw new MfshellException(file + " has no " + (!smtpd ? "'smtp inet ... smtpd'" : "'smtp unix ... smtp'")
                    + " service to bind to " + addr);
        }
        return String.join("\n", out) + "\n";
    }

    /** Refuses an instance whose master.cf would listen anywhere but ADDR, or whose client is not bound to it. */
    private void checkOnlyOwnAddress(Path dir, String addr) {
        for (String service : tools.postconf.serviceLines(dir)) {
            String[] f = service.trim().split("\\s+");
            if (f.length > 1 && f[1].equals("inet") && !f[0].equals(addr + ":smtp")) {
                throw new MfshellException(dir + "/master.cf: inet service '" + f[0] + "' is not on " + addr + ":smtp");
            }
        }
        String bind = tools.postconf.override(dir, "smtp/unix/smtp_bind_address");
        if (!bind.equals(addr)) {
            throw new MfshellException(dir + "/master.cf: smtp_bind_address is '" + bind + "', expected " + addr);
        }
    }

    private Path pristine(String name) {
        return lab.root().resolve("lab").resolve("pristine").resolve("postfix-" + name);
    }

    private void snapshot(String name) {
        Path to = pristine(name);
        Path tmp = to.resolveSibling("." + to.getFileName() + ".new");
        try {
            LabConfig.deleteTree(tmp);
            Files.createDirectories(tmp);
            for (String f : PRISTINE_FILES) {
                Path src = lab.configDir(name).resolve(f);
                if (Files.exists(src)) {
                    Files.copy(src, tmp.resolve(f), StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
            LabConfig.deleteTree(to);
            Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new MfshellException("cannot keep a copy of " + lab.configDir(name) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Puts the instance's config files back as the lab made them, byte for byte (the instance
     * must be stopped): files the copy holds are replaced, other files in the config dir removed.
     */
    void restore(String name) {
        Path dir = lab.configDir(name);
        Path from = pristine(name);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                if (!PRISTINE_FILES.contains(p.getFileName().toString()) || !Files.exists(from.resolve(p.getFileName()))) {
                    LabConfig.deleteTree(p);
                }
            }
            for (String f : PRISTINE_FILES) {
                if (Files.exists(from.resolve(f))) {
                    Path tmp = dir.resolve("." + f + ".restore");
                    Files.copy(from.resolve(f), tmp, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                    Files.move(tmp, dir.resolve(f), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new MfshellException("cannot restore " + dir + " from " + from + ": " + e.getMessage(), e);
        }
        LabTools.backdate(dir.resolve("main.cf"));
        LabTools.backdate(dir.resolve("master.cf"));
    }

    List<Postmulti.Entry> postmultiList() {
        return postmulti.list();
    }

    private static void copyTree(Path src, Path dst) throws IOException {
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : s.toList()) {
                Files.copy(p, dst.resolve(src.relativize(p).toString()), LinkOption.NOFOLLOW_LINKS,
                        StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new MfshellException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
