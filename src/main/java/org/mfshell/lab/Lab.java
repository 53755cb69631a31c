package org.mfshell.lab;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.mfshell.core.MfshellException;
import org.mfshell.core.UsageException;
import org.mfshell.lab.SeedReport.Outcome;
import org.mfshell.lab.SeedReport.SeededMessage;
import org.mfshell.postfix.ExecResult;
import org.mfshell.postfix.Postsuper;
import org.mfshell.postfix.PrivateMounts;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.core.Privileges;
import org.mfshell.core.Quote;
import org.mfshell.instance.MasterPid;
import org.mfshell.instance.QueueCounts;

/**
 * A lab of real Postfix instances on loopback shaped like the wiki's relay (aol-a, earthlink-a,
 * msn-a, msn-b, therest-a), plus a "provider" Postfix that plays the internet. Used for demos,
 * rehearsal and by every integration test. It comes in two {@link LabShape}s.
 *
 * <p>Default shape, layout under the lab root: {@code etc/postfix-NAME} (config dirs, what
 * discovery finds), {@code spool/postfix-NAME} (queues), {@code lib/postfix-NAME} (data),
 * {@code log/postfix-NAME.log} (maillog_file); each instance has its own myhostname
 * NAME.lab.invalid.
 *
 * <p>Handmade shape ({@link HandmadeConfig}): built as a Debian admin builds a relay, with the real
 * postmulti. {@code etc/postfix} (the default instance, never started), {@code etc/postfix-NAME},
 * {@code var/spool/postfix[-NAME]}, {@code var/lib/postfix[-NAME]}, one shared myhostname (the
 * box's), no maillog_file: every instance logs through syslog to {@code var/log/mail.log}, written
 * by the lab's own rsyslogd ({@link LabSyslog}: {@code etc/rsyslog.conf}, socket {@code dev/log},
 * {@code run/rsyslogd.pid}). The lab starts each instance's master with a private /dev whose
 * /dev/log is that socket: a master started otherwise (a plain {@code postfix -c DIR start}) logs to
 * the host's /dev/log instead, so restart stopped instances with {@link #startInstance}.
 * {@code lab/pristine/postfix-NAME} keeps the config files as made, for {@link #rebuild}.
 *
 * <p>Both shapes: {@code provider/{etc,spool,lib,log}} (the provider, invisible to discovery, its
 * own myhostname provider.lab.invalid and maillog_file), {@code lab.properties} (the address prefix
 * and shape the lab was built for). Two labs run side by side on different roots and prefixes.
 *
 * <p>Addresses: instances PREFIX.2 .. PREFIX.6 in {@link #INSTANCES} order, the provider PREFIX.20,
 * the seed's simulated bulk mail server PREFIX.30. Nothing binds 127.0.0.1:25 or leaves loopback.
 *
 * <p>Errors: {@link UsageException} for a bad prefix, root or instance name;
 * {@link MfshellException} when not root, Postfix is missing, or an instance fails to start/stop.
 *
 * <p>Size: about 900 lines because it is the lab's one life cycle (up, seed, status, down, rebuild,
 * block/unblock) over both shapes, and each step waits on real daemons; the config writing is
 * already apart ({@link LabConfig}, {@link HandmadeConfig}, {@link LabSyslog}, {@link SeedPlan}).
 */
public final class Lab {
    public static final List<String> INSTANCES = List.of("aol-a", "earthlink-a", "msn-a", "msn-b", "therest-a");
    /** Instances the provider blocks on a fresh lab (hotmail.com/outlook.com deferred with 4.7.651). */
    public static final Set<String> BLOCKED_BY_DEFAULT = Set.of("msn-a");
    public static final String PROVIDER = "provider";
    static final List<String> QUEUES = List.of("maildrop", "incoming", "active", "deferred", "hold");

    private static final Pattern PREFIX = Pattern.compile("127\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern SAFE_PATH = Pattern.compile("/[A-Za-z0-9._/-]*");
    private static final Pattern MESSAGE_ID = Pattern.compile(" provider/cleanup\\[\\d+\\]: \\w+: message-id=<([^>]*)>");
    private static final Duration STOP_WAIT = Duration.ofSeconds(20);

    private final Path root;
    private final String prefix;
    private final LabShape shape;
    private final LabTools tools;
    private final LabConfig config;
    private final LabSyslog syslog;
    private final HandmadeConfig handmade;

    /** A lab of the default shape. */
    public Lab(ProcessRunner runner, Path root, String prefix) {
        this(runner, root, prefix, LabShape.DEFAULT);
    }

    public Lab(ProcessRunner runner, Path root, String prefix, LabShape shape) {
        this.root = checkRoot(root);
        this.prefix = checkPrefix(prefix);
        this.shape = shape;
        this.tools = new LabTools(runner);
        this.config = new LabConfig(this, tools);
        this.syslog = new LabSyslog(this.root, runner);
        this.handmade = shape == LabShape.HANDMADE ? new HandmadeConfig(this, tools, runner, syslog.socket()) : null;
    }

    /** Checks an address prefix: three octets inside 127.0.0.0/8, e.g. {@code 127.0.3}. */
    public static String checkPrefix(String prefix) {
        Matcher m = prefix == null ? null : PREFIX.matcher(prefix);
        if (m == null || !m.matches() || Integer.parseInt(m.group(1)) > 255 || Integer.parseInt(m.group(2)) > 255
                || m.group(1).length() > 1 && m.group(1).startsWith("0")
                || m.group(2).length() > 1 && m.group(2).startsWith("0")) {
            throw new UsageException("bad lab prefix " + Quote.quote(prefix) + ": give three octets inside 127.0.0.0/8, e.g. 127.0.1");
        }
        if (prefix.equals("127.0.0")) {
            throw new UsageException("bad lab prefix '127.0.0': it holds 127.0.0.1, use e.g. 127.0.1");
        }
        return prefix;
    }

    /** Checks a lab root: absolute, plain characters, not / and not inside /etc, /usr, /bin, /sbin, /lib, /proc, /sys, /dev. */
    public static Path checkRoot(Path root) {
        if (root == null || !root.isAbsolute()) {
            throw new UsageException("bad lab root " + Quote.quote(String.valueOf(root)) + ": give an absolute directory, e.g. /var/tmp/mfshell-lab");
        }
        Path n = root.normalize();
        String s = n.toString();
        if (!SAFE_PATH.matcher(s).matches()) {
            throw new UsageException("bad lab root " + Quote.quote(String.valueOf(root)) + ": use letters, digits and . _ - / only");
        }
        for (String forbidden : List.of("/etc", "/usr", "/bin", "/sbin", "/lib", "/proc", "/sys", "/dev", "/boot")) {
            if (n.equals(Path.of("/")) || n.startsWith(forbidden)) {
                throw new UsageException("bad lab root " + Quote.quote(String.valueOf(root)) + ": not / or a system directory such as /etc;"
                        + " use e.g. /var/tmp/mfshell-lab");
            }
        }
        return n;
    }

    /** Why a lab cannot run here (not root, Postfix missing), or empty when it can. */
    public static Optional<String> unavailableReason() {
        if (!runningAsRoot()) {
            return Optional.of("the lab needs root: it starts real Postfix instances (run mfshell as root)");
        }
        for (String p : List.of("postfix", "postconf", "postsuper")) {
            if (!Files.isExecutable(Path.of("/usr/sbin", p)) && !Files.isExecutable(Path.of("/usr/bin", p))) {
                return Optional.of(p + " not found: install the Debian package 'postfix' (apt-get install postfix)");
            }
        }
        try {
            LabConfig.masterTemplate();
        } catch (MfshellException e) {
            return Optional.of(e.getMessage());
        }
        return Optional.empty();
    }

    /** Why a lab of this shape cannot run here, or empty when it can. The handmade shape also needs bwrap and rsyslogd. */
    public static Optional<String> unavailableReason(LabShape shape) {
        Optional<String> why = unavailableReason();
        if (why.isPresent() || shape != LabShape.HANDMADE) {
            return why;
        }
        if (!Files.isExecutable(Path.of("/usr/bin/bwrap"))) {
            return Optional.of("bwrap not found: install the Debian package 'bubblewrap' (apt-get install bubblewrap)");
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/rsyslogd"))) {
            return Optional.of("rsyslogd not found: install the Debian package 'rsyslog' (apt-get install rsyslog)");
        }
        return Optional.ofNullable(HandmadeConfig.missingDebianFile());
    }

    public static boolean runningAsRoot() {
        return Privileges.isRoot();
    }

    public Path root() {
        return root;
    }

    public String prefix() {
        return prefix;
    }

    public LabShape shape() {
        return shape;
    }

    /** What MFSHELL_CONFIG_ROOT (or --config-root) must be for mfshell to find this lab's instances. */
    public Path configRoot() {
        return root.resolve("etc");
    }

    public Path configDir(String instance) {
        return configRoot().resolve("postfix-" + known(instance));
    }

    /** The default instance's config dir (postmulti's primary); only the handmade shape has one. */
    public Path defaultConfigDir() {
        return configRoot().resolve("postfix");
    }

    public Path queueDir(String instance) {
        return shape == LabShape.HANDMADE ? root.resolve("var").resolve("spool").resolve("postfix-" + known(instance))
                : root.resolve("spool").resolve("postfix-" + known(instance));
    }

    /** The default instance's queue directory (handmade shape): it exists, but without subdirectories. */
    public Path defaultQueueDir() {
        return root.resolve("var").resolve("spool").resolve("postfix");
    }

    Path defaultDataDir() {
        return root.resolve("var").resolve("lib").resolve("postfix");
    }

    Path dataDir(String instance) {
        return shape == LabShape.HANDMADE ? root.resolve("var").resolve("lib").resolve("postfix-" + known(instance))
                : root.resolve("lib").resolve("postfix-" + known(instance));
    }

    /**
     * The file this instance's log lines go to: its maillog_file (default shape), or the syslog
     * mail log that every instance shares (handmade shape), where its lines carry postfix-NAME.
     */
    public Path logFile(String instance) {
        String name = known(instance);
        return shape == LabShape.HANDMADE ? mailLog() : root.resolve("log").resolve("postfix-" + name + ".log");
    }

    /**
     * The syslog mail log (what MFSHELL_MAIL_LOG must be): ROOT/var/log/mail.log, written by the
     * lab's rsyslogd in the handmade shape; the default shape never writes it.
     */
    public Path mailLog() {
        return syslog.mailLog();
    }

    /** The unix socket the lab's rsyslogd listens on, which the handmade instances see as /dev/log. */
    public Path syslogSocket() {
        return syslog.socket();
    }

    public String address(String instance) {
        return prefix + "." + (2 + INSTANCES.indexOf(known(instance)));
    }

    public String providerAddress() {
        return prefix + ".20";
    }

    /** The local address the seed connects from (a simulated bulk mail server). */
    public String clientAddress() {
        return prefix + ".30";
    }

    public Path providerConfigDir() {
        return root.resolve("provider").resolve("etc");
    }

    Path providerQueueDir() {
        return root.resolve("provider").resolve("spool");
    }

    Path providerDataDir() {
        return root.resolve("provider").resolve("lib");
    }

    public Path providerLogFile() {
        return root.resolve("provider").resolve("log").resolve("provider.log");
    }

    private static String known(String instance) {
        if (!INSTANCES.contains(instance)) {
            throw new UsageException("unknown lab instance " + Quote.quote(instance) + " (known: " + String.join(", ", INSTANCES) + ")");
        }
        return instance;
    }

    /**
     * Creates what is missing (config dirs, queues, the provider) and starts what is stopped;
     * running instances are left alone. Returns the status once every instance answers on port 25.
     */
    public LabStatus up() {
        requireRunnable();
        // Before anything is written: an address of ours that answers while our server there is
        // stopped belongs to someone else (another lab on the same prefix, a local MTA).
        List<String> ours = new ArrayList<>(INSTANCES);
        ours.add(PROVIDER);
        for (String name : ours) {
            boolean provider = name.equals(PROVIDER);
            String addr = provider ? providerAddress() : address(name);
            if (masterPid(provider ? providerQueueDir() : queueDir(name)) == 0 && answers(addr)) {
                throw new MfshellException(addr + ":25 already answers, but not as this lab's " + name
                        + " (another lab on prefix " + prefix + "?): choose another --prefix or stop that server");
            }
        }
        claimRoot();
        boolean handmadeShape = shape == LabShape.HANDMADE;
        List<Runnable> missing = new ArrayList<>();
        if (!Files.exists(providerConfigDir().resolve("main.cf"))) {
            missing.add(() -> config.writeProvider(BLOCKED_BY_DEFAULT));
        }
        for (String name : INSTANCES) {
            if (!handmadeShape && !Files.exists(configDir(name).resolve("main.cf"))) {
                missing.add(() -> config.writeInstance(name));
            }
        }
        inParallel(missing);
        if (handmadeShape) {
            // The syslog first, so that postmulti's and every instance's first lines are logged.
            syslog.write();
            syslog.start();
            if (!handmade.defaultInstanceExists()) {
                handmade.writeDefaultInstance();
            }
            // One after the other: postmulti edits the default main.cf for each.
            for (String name : INSTANCES) {
                if (!handmade.complete(name)) {
                    handmade.writeInstance(name);
                }
            }
        }
        List<Path[]> toStart = new ArrayList<>();
        if (masterPid(providerQueueDir()) == 0) {
            toStart.add(new Path[] {providerConfigDir(), providerQueueDir()});
        }
        List<Path[]> handmadeToStart = new ArrayList<>();
        for (String name : INSTANCES) {
            if (masterPid(queueDir(name)) == 0) {
                (handmadeShape ? handmadeToStart : toStart).add(new Path[] {configDir(name), queueDir(name)});
            }
        }
        startAll(toStart);
        startInNamespace(handmadeToStart);
        toStart.addAll(handmadeToStart);
        // Only what was started now: a running master already holds its listening socket.
        for (Path[] started : toStart) {
            if (started[0].equals(providerConfigDir())) {
                awaitBanner(PROVIDER, providerAddress());
            } else {
                String name = started[0].getFileName().toString().substring("postfix-".length());
                awaitBanner(name, address(name));
            }
        }
        return status();
    }

    /** Whether something accepts connections on addr:25 (within a fifth of a second). */
    private static boolean answers(String addr) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(addr, 25), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Runs independent config writers side by side: each is a handful of short postconf runs,
     * mostly process start-up latency. The first failure is rethrown.
     */
    private static void inParallel(List<Runnable> tasks) {
        if (tasks.size() < 2) {
            tasks.forEach(Runnable::run);
            return;
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(Math.min(tasks.size(), 4));
        try {
            List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
            for (Runnable t : tasks) {
                futures.add(pool.submit(t));
            }
            for (java.util.concurrent.Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MfshellException("interrupted while creating the lab");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof MfshellException me ? me : new MfshellException("creating the lab: " + c, c);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Starts each config dir with {@code postfix start}. The lab lays out its own queue
     * directories (as postfix-files specifies) and then uses Postfix's {@code quick-start}
     * marker, which skips the integrity checks that otherwise cost about a second per instance.
     */
    private void startAll(List<Path[]> dirs) {
        List<String> failed = new ArrayList<>();
        for (Path[] d : dirs) {
            if (config.ensureQueueLayout(d[1])) {
                try {
                    Files.writeString(d[1].resolve("quick-start"), "");
                } catch (IOException e) {
                    throw new MfshellException("cannot write " + d[1].resolve("quick-start") + ": " + e.getMessage(), e);
                }
            }
            ExecResult r = tools.postfix.attempt(d[0], "start", null);
            if (!r.ok()) {
                failed.add(d[0] + " (exit " + r.exitCode() + ")");
            }
        }
        if (!failed.isEmpty()) {
            throw new MfshellException("postfix start failed for " + String.join(", ", failed)
                    + "; see the instance logs under " + root);
        }
    }

    /**
     * Starts handmade instances as a plain {@code postfix -c DIR start} (with its usual checks),
     * each in a private mount namespace whose /dev/log is the lab's syslog socket.
     */
    private void startInNamespace(List<Path[]> dirs) {
        List<String> failed = new ArrayList<>();
        for (Path[] d : dirs) {
            ExecResult r = tools.postfix.attempt(d[0], "start", PrivateMounts.create().devLog(syslog.socket()));
            if (!r.ok()) {
                failed.add(d[0] + " (exit " + r.exitCode() + (r.stderr().isBlank() ? "" : ": " + r.firstErrorLine()) + ")");
            }
        }
        if (!failed.isEmpty()) {
            throw new MfshellException("postfix start failed for " + String.join(", ", failed) + "; see " + mailLog());
        }
    }

    /**
     * Starts one stopped instance the way {@link #up} does (handmade: with the lab's /dev/log) and
     * waits for its banner; a running one is left alone.
     */
    public void startInstance(String instance) {
        requireRunnable();
        Path[] d = {configDir(instance), queueDir(instance)};
        if (masterPid(d[1]) != 0) {
            return;
        }
        if (shape == LabShape.HANDMADE) {
            syslog.start();
            startInNamespace(List.<Path[]>of(d));
        } else {
            startAll(List.<Path[]>of(d));
        }
        awaitBanner(instance, address(instance));
    }

    private void awaitBanner(String name, String addr) {
        Instant deadline = Instant.now().plusSeconds(10);
        IOException last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                String banner = SmtpClient.banner(clientAddress(), addr, 25);
                if (banner != null && banner.startsWith("220")) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            sleep(100);
        }
        throw new MfshellException(name + " does not answer on " + addr + ":25"
                + (last == null ? "" : " (" + last.getMessage() + ")"));
    }

    /**
     * Injects a realistic mix of mail over SMTP into every instance (see {@link SeedPlan}), waits
     * until the instances have made their first delivery attempts, then puts the planned
     * therest-a messages on hold. Needs a running lab.
     */
    public SeedReport seed() {
        requireRunnable();
        LabStatus before = status();
        if (!before.allRunning()) {
            throw new MfshellException("the lab at " + root + " is not (fully) running: run 'lab up' first");
        }
        Set<String> blocked = before.blocked();
        String token = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC).format(Instant.now())
                + "." + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        List<SeedPlan.Planned> plan = new SeedPlan(token, blocked).build();
        Map<SeedPlan.Planned, String> queueIds = new LinkedHashMap<>();
        for (String name : INSTANCES) {
            List<SeedPlan.Planned> mine = plan.stream().filter(p -> p.instance().equals(name)).toList();
            try (SmtpClient smtp = new SmtpClient(clientAddress(), address(name), 25, "bulk.lab.invalid")) {
                for (SeedPlan.Planned p : mine) {
                    queueIds.put(p, smtp.send(p.sender(), List.copyOf(p.recipients().keySet()), p.text()));
                }
            }
        }
        waitForQueuesToSettle(Duration.ofSeconds(60));
        List<SeededMessage> report = new ArrayList<>();
        for (Map.Entry<SeedPlan.Planned, String> e : queueIds.entrySet()) {
            SeedPlan.Planned p = e.getKey();
            if (p.hold()) {
                hold(p.instance(), e.getValue());
            }
            report.add(new SeededMessage(p.instance(), p.messageId(), e.getValue(), p.sender(), p.recipients(), p.hold()));
        }
        return new SeedReport(token, report);
    }

    /**
     * One message over SMTP from the lab's client address into {@code instance}, with Message-ID
     * {@code messageId} (as the bulk servers send it); returns its queue id there.
     */
    public String send(String instance, String sender, List<String> recipients, String messageId) {
        requireRunnable();
        String text = "From: " + sender + "\nTo: " + String.join(", ", recipients) + "\nMessage-ID: <" + messageId
                + ">\nSubject: lab message\n\nhello\n";
        try (SmtpClient smtp = new SmtpClient(clientAddress(), address(known(instance)), 25, "bulk.lab.invalid")) {
            return smtp.send(sender, recipients, text);
        }
    }

    /** Puts one deferred message on hold, retrying while qmgr may have it in the active queue. */
    private void hold(String instance, String queueId) {
        String err = "";
        for (int attempt = 0; attempt < 50; attempt++) {
            Postsuper.Result held = tools.postsuper.apply(configDir(instance), Postsuper.Action.HOLD, List.of(queueId));
            err = String.join("; ", held.warnings());
            if (held.count() == 1) {
                return;
            }
            sleep(200);
        }
        throw new MfshellException("could not put " + instance + " message " + queueId + " on hold (postsuper: "
                + (err.isBlank() ? "no output" : err.strip().replace('\n', ' ')) + ")");
    }

    public LabStatus status() {
        List<LabStatus.Node> nodes = new ArrayList<>();
        for (String name : INSTANCES) {
            nodes.add(node(name, address(name), configDir(name), queueDir(name)));
        }
        LabStatus.Node provider = node(PROVIDER, providerAddress(), providerConfigDir(), providerQueueDir());
        boolean handmadeShape = shape == LabShape.HANDMADE;
        Optional<LabStatus.Node> defaultInstance = handmadeShape
                ? Optional.of(node("postfix", "-", defaultConfigDir(), defaultQueueDir())) : Optional.empty();
        return new LabStatus(root, prefix, nodes, provider, acceptedMessageIds().size(), blockedInstances(), shape,
                defaultInstance, handmadeShape ? syslog.pid() : 0);
    }

    private LabStatus.Node node(String name, String addr, Path configDir, Path queueDir) {
        long pid = masterPid(queueDir);
        return new LabStatus.Node(name, addr, configDir, Files.exists(configDir.resolve("main.cf")), pid != 0, pid,
                queueCounts(queueDir));
    }

    /** Number of messages per queue, counted from the queue files ({@link QueueCounts}); 0 when unreadable. */
    static Map<String, Integer> queueCounts(Path queueDir) {
        QueueCounts c;
        try {
            c = QueueCounts.fromFiles(queueDir);
        } catch (IOException | RuntimeException e) {
            c = QueueCounts.EMPTY;
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        c.byQueue().forEach((q, n) -> counts.put(q, (int) (long) n));
        return counts;
    }

    /** The pid of the master process serving this queue directory, 0 when none runs ({@link MasterPid}). */
    static long masterPid(Path queueDir) {
        return MasterPid.of(queueDir);
    }

    /**
     * Stops every instance and the provider of this lab root, waits until each master has exited,
     * and removes the master.pid files they leave behind. Idempotent.
     */
    public void down() {
        List<Path[]> all = new ArrayList<>();
        all.add(new Path[] {providerConfigDir(), providerQueueDir()});
        for (String name : INSTANCES) {
            all.add(new Path[] {configDir(name), queueDir(name)});
        }
        if (shape == LabShape.HANDMADE) {
            // Never started by the lab, but stopped too if someone did.
            all.add(new Path[] {defaultConfigDir(), defaultQueueDir()});
        }
        Map<Path, Long> stopping = new LinkedHashMap<>();
        for (Path[] p : all) {
            long pid = masterPid(p[1]);
            if (pid != 0) {
                tools.postfix.attempt(p[0], "stop", null);
                stopping.put(p[1], pid);
            }
        }
        Instant deadline = Instant.now().plus(STOP_WAIT);
        List<String> stuck = new ArrayList<>();
        for (Map.Entry<Path, Long> e : stopping.entrySet()) {
            while (Files.exists(Path.of("/proc", Long.toString(e.getValue()))) && masterPid(e.getKey()) != 0) {
                if (Instant.now().isAfter(deadline)) {
                    stuck.add(e.getKey() + " (pid " + e.getValue() + ")");
                    break;
                }
                sleep(50);
            }
        }
        if (!stuck.isEmpty()) {
            throw new MfshellException("Postfix did not stop within " + STOP_WAIT.toSeconds() + " s: " + String.join(", ", stuck));
        }
        for (Path[] p : all) {
            Path pidFile = p[1].resolve("pid").resolve("master.pid");
            if (masterPid(p[1]) == 0) {
                try {
                    Files.deleteIfExists(pidFile);
                } catch (IOException e) {
                    throw new MfshellException("cannot remove " + pidFile + ": " + e.getMessage(), e);
                }
            }
        }
        // Last, so that the masters' "terminating" lines are logged.
        syslog.stop();
    }

    /**
     * Restores one instance's generated configuration (for a test that enabled transport_maps or
     * edited master.cf): stops it, rewrites its config dir from scratch, starts it. Its queue and
     * log are kept.
     */
    public void rebuild(String instance) {
        requireRunnable();
        Path dir = configDir(instance);
        Path queue = queueDir(instance);
        long pid = masterPid(queue);
        if (pid != 0) {
            tools.postfix.attempt(dir, "stop", null);
            Instant deadline = Instant.now().plus(STOP_WAIT);
            while (masterPid(queue) != 0) {
                if (Instant.now().isAfter(deadline)) {
                    throw new MfshellException(instance + " did not stop within " + STOP_WAIT.toSeconds() + " s");
                }
                sleep(50);
            }
        }
        if (shape == LabShape.HANDMADE) {
            handmade.restore(instance);
            syslog.start();
            startInNamespace(List.<Path[]>of(new Path[] {dir, queue}));
            awaitBanner(instance, address(instance));
            return;
        }
        try {
            LabConfig.deleteTree(dir);
        } catch (IOException e) {
            throw new MfshellException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
        config.writeInstance(instance);
        startAll(List.<Path[]>of(new Path[] {dir, queue}));
        awaitBanner(instance, address(instance));
    }

    /**
     * Stops the lab and deletes its root. Refuses a directory that is not a lab root (no
     * lab.properties), so a wrong path never deletes anything else.
     */
    public void destroy() {
        if (!Files.exists(root)) {
            return;
        }
        if (!Files.isRegularFile(root.resolve("lab.properties"))) {
            throw new MfshellException(root + " is not a lab root (no lab.properties): not deleting it");
        }
        down();
        try {
            LabConfig.deleteTree(root);
        } catch (IOException e) {
            throw new MfshellException("cannot delete " + root + ": " + e.getMessage(), e);
        }
    }

    /** Deletes every message of every lab instance ({@code postsuper -d ALL}); the provider keeps nothing. */
    public void purgeQueues() {
        for (String name : INSTANCES) {
            if (Files.exists(configDir(name).resolve("main.cf"))) {
                tools.postsuper.applyAll(configDir(name), Postsuper.Action.DELETE);
            }
        }
    }

    /**
     * Message-IDs (without angle brackets) of every message the provider accepted, read from
     * the provider's cleanup log lines. Includes the bounce notices the instances send.
     */
    public Set<String> acceptedMessageIds() {
        Set<String> ids = new LinkedHashSet<>();
        Path log = providerLogFile();
        if (!Files.exists(log)) {
            return ids;
        }
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            lines.forEach(l -> {
                Matcher m = MESSAGE_ID.matcher(l);
                if (m.find()) {
                    ids.add(m.group(1));
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new MfshellException("cannot read " + log + ": " + e.getMessage(), e);
        }
        return ids;
    }

    /**
     * Waits until no instance has mail in maildrop, incoming or active (seen twice in a row),
     * i.e. every message had its delivery attempt. Throws with what is left after {@code max}.
     */
    public void waitForQueuesToSettle(Duration max) {
        Instant deadline = Instant.now().plus(max);
        int quiet = 0;
        Map<String, Integer> busy = Map.of();
        while (true) {
            busy = new LinkedHashMap<>();
            for (String name : INSTANCES) {
                Map<String, Integer> c = queueCounts(queueDir(name));
                int n = c.get("maildrop") + c.get("incoming") + c.get("active");
                if (n > 0) {
                    busy.put(name, n);
                }
            }
            quiet = busy.isEmpty() ? quiet + 1 : 0;
            if (quiet >= 2) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new MfshellException("lab queues did not settle within " + max.toSeconds()
                        + " s; messages still in maildrop/incoming/active: " + busy);
            }
            sleep(150);
        }
    }

    /** Instances whose hotmail.com/outlook.com mail the provider currently defers. */
    public Set<String> blockedInstances() {
        Path map = providerConfigDir().resolve("blocked-clients");
        Set<String> out = new TreeSet<>();
        if (!Files.exists(map)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(map)) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 2 && !f[0].startsWith("#")) {
                    for (String name : INSTANCES) {
                        if (address(name).equals(f[0])) {
                            out.add(name);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new MfshellException("cannot read " + map + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Makes the provider defer this instance's hotmail.com/outlook.com mail (4.7.651). */
    public void block(String instance) {
        String name = known(instance);
        Set<String> b = new HashSet<>(blockedInstances());
        b.add(name);
        setBlocked(b);
    }

    /** Makes the provider accept this instance's hotmail.com/outlook.com mail again. */
    public void unblock(String instance) {
        String name = known(instance);
        Set<String> b = new HashSet<>(blockedInstances());
        b.remove(name);
        setBlocked(b);
    }

    private void setBlocked(Set<String> blocked) {
        requireRunnable();
        if (!Files.exists(providerConfigDir().resolve("main.cf"))) {
            throw new MfshellException("no lab at " + root + ": run 'lab up' first");
        }
        LabTools.writeAtomically(providerConfigDir().resolve("blocked-clients"), config.blockedClients(blocked));
        // texthash maps are read when smtpd starts: reload makes new smtpd processes. An old smtpd
        // keeps serving a cached SMTP session until the client lets it go, so wait for the old
        // ones to leave (idle cached sessions end within 2 s), then end any still holding on.
        long master = masterPid(providerQueueDir());
        if (master != 0) {
            List<Long> old = children(master, "smtpd");
            ExecResult r = tools.postfix.attempt(providerConfigDir(), "reload", null);
            if (!r.ok()) {
                throw new MfshellException("postfix reload of the provider failed (exit " + r.exitCode() + ")");
            }
            Instant deadline = Instant.now().plusSeconds(5);
            while (old.stream().anyMatch(p -> isChild(p, master)) && Instant.now().isBefore(deadline)) {
                sleep(100);
            }
            for (long p : old) {
                if (isChild(p, master)) {
                    ProcessHandle.of(p).ifPresent(ProcessHandle::destroy);
                }
            }
        }
    }

    /** Pids of the processes named {@code comm} whose parent is {@code parent}. */
    private static List<Long> children(long parent, String comm) {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (isChild(pid, parent) && comm.equals(readQuietly(p.resolve("comm")))) {
                    out.add(pid);
                }
            }
        } catch (IOException e) {
            throw new MfshellException("cannot list /proc: " + e.getMessage(), e);
        }
        return out;
    }

    private static boolean isChild(long pid, long parent) {
        String stat = readQuietly(Path.of("/proc", Long.toString(pid), "stat"));
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return false;
        }
        String[] f = stat.substring(close + 2).split(" ");
        return f.length > 1 && f[1].equals(Long.toString(parent));
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return "";
        }
    }

    private void requireRunnable() {
        Optional<String> why = unavailableReason(shape);
        if (why.isPresent()) {
            throw new MfshellException(why.get());
        }
    }

    /** The shape recorded in ROOT/lab.properties, empty when there is no lab at that root. */
    public static Optional<LabShape> recordedShape(Path root) {
        Path props = checkRoot(root).resolve("lab.properties");
        if (!Files.isRegularFile(props)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(props)) {
            p.load(r);
        } catch (IOException e) {
            throw new MfshellException("cannot read " + props + ": " + e.getMessage(), e);
        }
        return Optional.of(LabShape.parse(p.getProperty("shape", LabShape.DEFAULT.id())));
    }

    /** {@code postmulti -l} for the handmade shape's default instance: every instance postmulti manages. */
    public List<org.mfshell.postfix.Postmulti.Entry> postmultiInstances() {
        if (handmade == null) {
            throw new MfshellException("the lab at " + root + " has the default shape: postmulti manages nothing there");
        }
        return handmade.postmultiList();
    }

    /** Records prefix and shape in lab.properties; refuses a root made for another prefix or shape. */
    private void claimRoot() {
        Path props = root.resolve("lab.properties");
        try {
            Files.createDirectories(root);
            if (Files.exists(props)) {
                Properties p = new Properties();
                try (var r = Files.newBufferedReader(props)) {
                    p.load(r);
                }
                String was = p.getProperty("prefix");
                if (!prefix.equals(was)) {
                    throw new MfshellException("the lab at " + root + " was built for prefix " + was + ", not " + prefix
                            + ": use --prefix " + was + ", or 'lab down' it and remove " + root);
                }
                String wasShape = p.getProperty("shape", LabShape.DEFAULT.id());
                if (!shape.id().equals(wasShape)) {
                    throw new MfshellException("the lab at " + root + " has the shape " + wasShape + ", not " + shape.id()
                            + ": use --shape " + wasShape + ", or another --root");
                }
                return;
            }
            LabTools.writeAtomically(props, "# mfshell lab root\nprefix=" + prefix + "\nshape=" + shape.id() + "\n");
        } catch (IOException e) {
            throw new MfshellException("cannot use lab root " + root + ": " + e.getMessage(), e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MfshellException("interrupted");
        }
    }
}
