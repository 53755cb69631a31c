package org.mfshell.flush;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import org.mfshell.core.MfshellException;
import org.mfshell.core.Quote;
import org.mfshell.core.UsageException;
import org.mfshell.fs.AtomicFiles;
import org.mfshell.fs.StateDir;
import org.mfshell.instance.InstanceNames;
import org.mfshell.mail.Domains;
import org.mfshell.mail.IpAddresses;
import org.mfshell.postfix.Ssh;

/**
 * Reroutes from another host announced to this one before they start: {@code STATE/claims/ID.json}
 * (0600, in the private state dir, never through a link). A cross-host reroute of
 * {@code rustin:msn-a} to {@code msn-b} here writes its claim on this host (with the facts it
 * reads, under the host-wide reroute lock, {@code flush msn-b --facts --claim-from ...}) before
 * its source host checks for a cycle and records its journal, and takes it away when its flush
 * command ends ({@code --release-claim ID}). A reroute started here counts the live claims as
 * edges of the reroute graph ({@link PreflightChecks#graph}). Two opposite cross-host reroutes
 * started at once therefore cannot both pass: each writes before it reads, so at least one of
 * them sees the other, as a claim here or as a journal in the facts it read.
 *
 * <p>A claim lives {@link #LIFETIME} (30 minutes) on this host's clock, so one left behind by an
 * operator's mfshell that died goes away by itself; the source host refuses to record its journal
 * when more than {@link #USABLE} (10 minutes) has passed since it received the facts.
 * Claim files are read as untrusted input: size bounded, every member checked, an unreadable one
 * refused with its file named (a reroute here then stops: a claim that cannot be read could be a
 * reroute that would close a cycle).
 */
public final class IncomingClaims {
    /** How long a claim lasts. */
    public static final Duration LIFETIME = Duration.ofMinutes(30);
    /** How long the source may take from receiving the facts to recording its journal. */
    public static final Duration USABLE = Duration.ofMinutes(10);
    static final Pattern ID = Pattern.compile("[0-9a-f]{16}");
    private static final int MAX_BYTES = 16 * 1024;
    private static final int MAX_DOMAINS = 64;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * One claim: {@code from} ({@code HOST:NAME} as the operator named it) with sending address
     * {@code fromAddress} will relay {@code domains} to {@code to}, an instance here.
     */
    public record Claim(String id, String from, String fromAddress, String to, List<String> domains, String by,
                        String claimedAt, String expiresAt) {
        /** Ended: at its expires_at, or LIFETIME after it was claimed, whichever is first (a clock set back cannot stretch it). */
        boolean expired(Instant now) {
            Instant end = Instant.parse(expiresAt);
            Instant latest = Instant.parse(claimedAt).plus(LIFETIME);
            return !now.isBefore(end.isBefore(latest) ? end : latest);
        }

        /** "rustin:msn-a -> msn-b for hotmail.com, claimed at T by U (until T2)". */
        public String describe() {
            return from + " -> " + to + " for " + (domains.isEmpty() ? "*" : String.join(", ", domains)) + ", claimed at "
                    + claimedAt + " by " + by + " (until " + expiresAt + ")";
        }
    }

    private final StateDir state;

    public IncomingClaims(Path stateDir) {
        this.state = new StateDir(stateDir, "MFSHELL_STATE_DIR");
    }

    /** Checks the parts of a claim as given on the command line; returns {@code from} as it is. */
    public static String requireFrom(String from) {
        int colon = from.lastIndexOf(':');
        if (colon <= 0) {
            throw new UsageException("flush: --claim-from " + Quote.quote(from) + " is not HOST:NAME");
        }
        Ssh.checkDestination(from.substring(0, colon));
        if (from.length() > 255 || !from.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
            throw new UsageException("flush: --claim-from " + Quote.quote(from) + " is not printable ASCII of at most 255 "
                    + "characters");
        }
        InstanceNames.require(from.substring(colon + 1));
        return from;
    }

    /**
     * Writes a claim of {@code from} (at {@code fromAddress}) for {@code domains} to {@code to}.
     * The caller holds the host-wide reroute lock. Removes expired claims on the way.
     */
    public Claim add(String from, String fromAddress, String to, List<String> domains, String by) {
        requireFrom(from);
        if (fromAddress != null) {
            IpAddresses.require(fromAddress, "--claim-address");
        }
        InstanceNames.require(to);
        List<String> ds = Domains.requireAll(domains);
        if (ds.size() > MAX_DOMAINS) {
            throw new UsageException("flush: a reroute claim names at most " + MAX_DOMAINS + " domains, not " + ds.size());
        }
        by = by.length() > 200 ? by.substring(0, 200) : by;
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        byte[] raw = new byte[8];
        new SecureRandom().nextBytes(raw);
        Claim c = new Claim(HexFormat.of().formatHex(raw), from, fromAddress, to, ds, Quote.oneLine(by), now.toString(),
                now.plus(LIFETIME).toString());
        for (Path p : files()) {
            try {
                Claim old = read(p);
                if (old.expired(now)) {
                    AtomicFiles.delete(p);
                }
            } catch (MfshellException e) {
                // left for the reader to name
            }
        }
        ObjectNode o = MAPPER.createObjectNode();
        o.put("id", c.id());
        o.put("from", c.from());
        if (c.fromAddress() == null) {
            o.putNull("from_address");
        } else {
            o.put("from_address", c.fromAddress());
        }
        o.put("to", c.to());
        c.domains().forEach(o.putArray("domains")::add);
        o.put("by", c.by());
        o.put("claimed_at", c.claimedAt());
        o.put("expires_at", c.expiresAt());
        byte[] bytes = o.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_BYTES) {
            throw new UsageException("flush: the reroute claim would be " + bytes.length + " bytes, more than " + MAX_BYTES);
        }
        Path f = state.dir("claims").resolve(c.id() + ".json");
        StateDir.write(f, bytes);
        try {
            read(f);
        } catch (MfshellException e) {
            AtomicFiles.delete(f);
            throw e;
        }
        return c;
    }

    /** Where claim {@code id} is kept. */
    public Path file(String id) {
        return state.root().resolve("claims").resolve(id + ".json");
    }

    /** Removes claim {@code id}; whether it was there. */
    public boolean release(String id) {
        if (!ID.matcher(id).matches()) {
            throw new UsageException("flush: --release-claim " + Quote.quote(id) + " is not a claim id (16 hex digits)");
        }
        Path d = state.existingDir("claims");
        if (d == null) {
            return false;
        }
        Path f = d.resolve(id + ".json");
        if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        StateDir.checkFile(f);
        AtomicFiles.delete(f);
        return true;
    }

    /** The claims not yet expired. Errors: {@link MfshellException} naming a claim file that cannot be read. */
    public List<Claim> live() {
        Instant now = Instant.now();
        List<Claim> out = new ArrayList<>();
        for (Path p : files()) {
            Claim c = read(p);
            if (!c.expired(now)) {
                out.add(c);
            }
        }
        return out;
    }

    private List<Path> files() {
        Path d = state.existingDir("claims");
        List<Path> out = new ArrayList<>();
        if (d == null) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(d, "*.json")) {
            for (Path p : s) {
                if (!p.getFileName().toString().startsWith(".")) {
                    out.add(p);
                }
            }
        } catch (IOException e) {
            throw new MfshellException("cannot read " + d + ": " + e.getMessage(), e);
        }
        out.sort(null);
        return out;
    }

    static Claim read(Path p) {
        byte[] b = StateDir.read(p);
        if (b == null) {
            throw bad(p, "it is gone");
        }
        if (b.length > MAX_BYTES) {
            throw bad(p, "it is larger than " + MAX_BYTES + " bytes");
        }
        JsonNode o;
        try {
            o = MAPPER.readTree(b);
        } catch (IOException e) {
            throw bad(p, "it is not JSON");
        }
        if (o == null || !o.isObject()) {
            throw bad(p, "it is not one JSON object");
        }
        try {
            String id = text(o, "id", p);
            if (!ID.matcher(id).matches() || !p.getFileName().toString().equals(id + ".json")) {
                throw bad(p, "its id " + Quote.quote(id) + " is not its file name");
            }
            String from = requireFrom(text(o, "from", p));
            JsonNode a = o.get("from_address");
            String address = a == null || a.isNull() ? null : IpAddresses.require(text(o, "from_address", p), "from_address");
            String to = InstanceNames.require(text(o, "to", p));
            JsonNode ds = o.get("domains");
            if (ds == null || !ds.isArray() || ds.size() > MAX_DOMAINS) {
                throw bad(p, "domains is not a list");
            }
            List<String> domains = new ArrayList<>();
            for (JsonNode d : ds) {
                if (!d.isTextual()) {
                    throw bad(p, "a domain is not text");
                }
                domains.add(d.textValue().equals("*") ? "*" : Domains.require(d.textValue()));
            }
            String by = Quote.oneLine(text(o, "by", p));
            String claimed = Instant.parse(text(o, "claimed_at", p)).toString();
            String expires = Instant.parse(text(o, "expires_at", p)).toString();
            return new Claim(id, from, address, to, List.copyOf(domains), by, claimed, expires);
        } catch (UsageException | DateTimeParseException e) {
            throw bad(p, Quote.oneLine(String.valueOf(e.getMessage())));
        }
    }

    private static String text(JsonNode o, String member, Path p) {
        JsonNode n = o.get(member);
        if (n == null || !n.isTextual() || n.textValue().length() > 300) {
            throw bad(p, member + " is missing or not short text");
        }
        return n.textValue();
    }

    private static MfshellException bad(Path p, String why) {
        return new MfshellException("cannot read reroute claim " + p + ": " + why + " (a reroute from another host "
                + "announced there; remove the file once no such reroute is starting)");
    }
}
