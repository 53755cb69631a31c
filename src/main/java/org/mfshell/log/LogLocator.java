package org.mfshell.log;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mfshell.core.MfshellException;
import org.mfshell.core.UsageException;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.postfix.Postconf;
import org.mfshell.postfix.ProgramMissingException;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.core.Quote;

/**
 * Finds where the mail log is: each instance's {@code maillog_file} when set (asked with
 * {@code postconf -c DIR -h}); else the syslog mail log given to the constructor (the shell passes
 * MFSHELL_MAIL_LOG, default {@link #MAIL_LOG}); else the systemd journal. With a
 * since-time, rotated siblings ({@code mail.log.1}, {@code mail.log.2.gz},
 * {@code postfix.log.20261129-104000.gz}) modified at or after it are added, since a rotated
 * file's modification time is when its newest line was written. Explicit {@code --log} files
 * are checked to exist. Errors: {@link UsageException} for a missing explicit file.
 */
public final class LogLocator {
    /** The default syslog mail log, Debian's; MFSHELL_MAIL_LOG (AppContext#mailLog) overrides it. */
    public static final Path MAIL_LOG = Path.of("/var/log/mail.log");

    private final Path configRoot;
    private final ProcessRunner runner;
    private final Path mailLog;

    public LogLocator(Path configRoot, ProcessRunner runner, Path mailLog) {
        this.configRoot = configRoot;
        this.runner = runner;
        this.mailLog = mailLog;
    }

    /** The files named with --log ("-" is standard input). */
    public static List<LogSource> explicit(List<String> files) {
        List<LogSource> out = new ArrayList<>();
        for (String f : files) {
            if (f.equals("-")) {
                out.add(new LogSource(LogSource.Kind.STDIN, null, Instant.now()));
                continue;
            }
            Path p = Path.of(f);
            if (!Files.isRegularFile(p)) {
                throw new UsageException("--log " + Quote.quote(f) + ": no such file");
            }
            if (!Files.isReadable(p)) {
                throw new UsageException("--log " + Quote.quote(f) + ": not readable (run as root?)");
            }
            out.add(LogSource.file(p, mtime(p)));
        }
        return out;
    }

    /** The default sources, going back to {@code sinceMs} (null: the current files only). */
    public List<LogSource> defaults(Long sinceMs) {
        return fromLogs(instanceLogs(), sinceMs);
    }

    /**
     * As {@link #defaults(Long)}, with the instances' maillog_file values already read (discovery
     * has them): no postconf run. Blank, relative and /dev/ values are ignored, as postconf's are.
     */
    public List<LogSource> defaults(List<String> maillogFiles, Long sinceMs) {
        List<Path> logs = new ArrayList<>();
        for (String f : maillogFiles) {
            String v = f == null ? "" : f.trim();
            if (!v.isEmpty() && v.startsWith("/") && !v.startsWith("/dev/")) {
                logs.add(Path.of(v));
            }
        }
        return fromLogs(logs, sinceMs);
    }

    private List<LogSource> fromLogs(List<Path> instanceLogs, Long sinceMs) {
        Set<Path> files = new LinkedHashSet<>();
        for (Path p : instanceLogs) {
            if (Files.isRegularFile(p)) {
                files.add(p);
            }
        }
        if (files.isEmpty() && Files.isRegularFile(mailLog)) {
            files.add(mailLog);
        }
        if (files.isEmpty()) {
            return List.of(new LogSource(LogSource.Kind.JOURNAL, null, Instant.now()));
        }
        List<LogSource> out = new ArrayList<>();
        for (Path f : files) {
            out.add(LogSource.file(f, mtime(f)));
            if (sinceMs != null) {
                for (Path r : rotations(f)) {
                    if (mtime(r).toEpochMilli() >= sinceMs) {
                        out.add(LogSource.file(r, mtime(r)));
                    }
                }
            }
        }
        return out;
    }

    /** maillog_file of every instance under the config root that sets one. */
    List<Path> instanceLogs() {
        List<Path> out = new ArrayList<>();
        InstanceRegistry.Scan scan;
        try {
            scan = new InstanceRegistry(configRoot, runner).scan();
        } catch (MfshellException e) {
            return out;
        }
        Postconf postconf = new Postconf(runner);
        for (InstanceRegistry.InstanceDir d : scan.dirs()) {
            Map<String, String> v;
            try {
                v = postconf.values(d.configDir(), List.of("maillog_file"));
            } catch (ProgramMissingException e) {
                throw e;
            } catch (MfshellException e) {
                // An instance postconf cannot read has no log to add; discovery reports it on its own row.
                continue;
            }
            String f = v.getOrDefault("maillog_file", "").trim();
            if (!f.isEmpty() && f.startsWith("/") && !f.startsWith("/dev/")) {
                out.add(Path.of(f));
            }
        }
        return out;
    }

    /** Rotated siblings of a log file: NAME.1, NAME.2.gz, NAME.20261129-104000.gz, ... newest first. */
    static List<Path> rotations(Path file) {
        List<Path> out = new ArrayList<>();
        Path dir = file.toAbsolutePath().getParent();
        String prefix = file.getFileName().toString() + ".";
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.startsWith(prefix) && n.length() > prefix.length() && Files.isRegularFile(p)
                        && rotationSuffix(n.substring(prefix.length()))) {
                    out.add(p);
                }
            }
        } catch (IOException e) {
            return out;
        }
        out.sort(Comparator.comparing(LogLocator::mtime).reversed());
        return out;
    }

    private static boolean rotationSuffix(String s) {
        String t = s.endsWith(".gz") ? s.substring(0, s.length() - 3) : s;
        return t.matches("[0-9]+") || t.matches("[0-9]{8}(-[0-9]{6})?");
    }

    static Instant mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant();
        } catch (IOException e) {
            return Instant.now();
        }
    }
}
