package org.mfshell.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.postfix.Postmap;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.provider.ProviderGroups;

/**
 * relay-map output passed through a real postmap and queried with postmap -q, and --check
 * against good and damaged maps. Needs Postfix's postmap (the lab and CI have it).
 */
class RelayMapPostmapTest {
    @TempDir
    Path dir;

    private final ProcessRunner runner = new ProcessRunner();
    private final RelayMap map = new RelayMap(ProviderGroups.builtIn(), "smtp.mayfirst.org");

    private Path configDir() throws Exception {
        Path c = dir.resolve("etc");
        Files.createDirectories(c);
        Files.writeString(c.resolve("main.cf"), "");
        Files.setLastModifiedTime(c.resolve("main.cf"), FileTime.from(Instant.now().minusSeconds(60)));
        return c;
    }

    @Test
    void renderedMapBuildsWithPostmapAndRoutesEveryGroupDomain() throws Exception {
        Path file = dir.resolve("transport.relay");
        List<RelayMap.Entry> entries = map.entries(List.of(), false);
        Files.writeString(file, map.render(entries));
        Path etc = configDir();
        Postmap pm = new Postmap(runner);
        assertEquals(List.of(), pm.build(etc, file));
        assertTrue(Files.exists(dir.resolve("transport.relay.db")));
        Map<String, String> got = pm.query(etc, file, List.of("hotmail.com", "outlook.com", "live.com", "msn.com",
                "aol.com", "earthlink.net", "mindspring.com", "riseup.net"));
        assertEquals("smtp:msn.smtp.mayfirst.org", got.get("hotmail.com"));
        assertEquals("smtp:msn.smtp.mayfirst.org", got.get("outlook.com"));
        assertEquals("smtp:msn.smtp.mayfirst.org", got.get("live.com"));
        assertEquals("smtp:msn.smtp.mayfirst.org", got.get("msn.com"));
        assertEquals("smtp:aol.smtp.mayfirst.org", got.get("aol.com"));
        assertEquals("smtp:earthlink.smtp.mayfirst.org", got.get("earthlink.net"));
        assertEquals("smtp:earthlink.smtp.mayfirst.org", got.get("mindspring.com"));
        assertEquals(null, got.get("riseup.net"));
        assertEquals(entries.size(), pm.dump(etc, file).size());
        assertTrue(entries.size() > 50);
    }

    @Test
    void checkFindsMissingWrongAndExtraEntries() throws Exception {
        List<RelayMap.Entry> entries = map.entries(List.of("msn", "aol"), false);
        Path good = dir.resolve("good");
        Files.writeString(good, map.render(entries));
        RelayMap.CheckResult ok = map.check(good, entries, runner);
        assertTrue(ok.passed());
        assertEquals(entries.size(), ok.ok().size());

        Path bad = dir.resolve("bad");
        String text = map.render(entries).replace("\nlive.com ", "\n#live.com ")
                .replaceAll("(?m)^aol\\.com\\s+\\S+$", "aol.com smtp:[192.0.2.1]") + "* smtp:elsewhere\n";
        Files.writeString(bad, text);
        RelayMap.CheckResult r = map.check(bad, entries, runner);
        assertTrue(!r.passed());
        assertEquals(List.of("live.com"), r.missing().stream().map(RelayMap.Entry::domain).toList());
        assertEquals(List.of(new RelayMap.Mismatch("aol.com", "smtp:aol.smtp.mayfirst.org", "smtp:[192.0.2.1]")), r.wrong());
        assertEquals(Map.of("*", "smtp:elsewhere"), r.extra());
        assertTrue(Files.exists(bad) && !Files.exists(dir.resolve("bad.db")), "the checked file is never touched");
    }
}
