package org.mfshell.flush;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.core.MfshellException;
import org.mfshell.core.UsageException;

/**
 * The claims a cross-host reroute writes on its target host: private files, read back strictly,
 * expired ones not counted, and the reroute graph closing a cycle through one.
 */
class IncomingClaimsTest {
    @TempDir
    Path state;

    @Test
    void aClaimIsWrittenPrivateReadBackAndReleased() throws Exception {
        IncomingClaims claims = new IncomingClaims(state);
        IncomingClaims.Claim c = claims.add("rustin:msn-a", "127.0.168.4", "msn-b", List.of("Hotmail.com", "outlook.com"),
                "alice from 10.0.0.1");
        assertTrue(IncomingClaims.ID.matcher(c.id()).matches(), c.id());
        assertEquals(List.of("hotmail.com", "outlook.com"), c.domains());
        Path f = state.resolve("claims").resolve(c.id() + ".json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f.getParent())));
        assertEquals(List.of(c), claims.live());
        assertEquals(IncomingClaims.LIFETIME.getSeconds(),
                Instant.parse(c.expiresAt()).getEpochSecond() - Instant.parse(c.claimedAt()).getEpochSecond());
        assertTrue(claims.release(c.id()));
        assertFalse(claims.release(c.id()), "released twice");
        assertEquals(List.of(), claims.live());
    }

    @Test
    void expiredClaimsDoNotCountAndAreRemovedByTheNextClaim() throws Exception {
        IncomingClaims claims = new IncomingClaims(state);
        IncomingClaims.Claim c = claims.add("rustin:msn-a", "127.0.168.4", "msn-b", List.of("hotmail.com"), "alice");
        Path f = state.resolve("claims").resolve(c.id() + ".json");
        String text = Files.readString(f).replace(c.expiresAt(), "2020-01-01T00:00:00Z");
        Files.writeString(f, text);
        assertEquals(List.of(), claims.live());
        claims.add("rustin:msn-c", "127.0.168.6", "msn-b", List.of(), "bob");
        assertFalse(Files.exists(f), "the expired claim is gone");
        assertEquals(1, claims.live().size());
    }

    @Test
    void aClaimFileThatCannotBeReadIsNamedNotIgnored() throws Exception {
        IncomingClaims claims = new IncomingClaims(state);
        IncomingClaims.Claim c = claims.add("rustin:msn-a", "127.0.168.4", "msn-b", List.of("hotmail.com"), "alice");
        Path f = state.resolve("claims").resolve(c.id() + ".json");
        String good = Files.readString(f);
        for (String bad : List.of("{", "[]", good.replace("127.0.168.4", "127.0.168.4; touch /x"),
                good.replace("rustin:msn-a", "-oProxyCommand=x:msn-a"), good.replace("\"msn-b\"", "\"../msn-b\""),
                good.replace("\"" + c.id() + "\"", "\"ffffffffffffffff\""), good.replace("hotmail.com", "hot mail.com"))) {
            Files.writeString(f, bad);
            MfshellException e = assertThrows(MfshellException.class, claims::live, bad);
            assertTrue(e.getMessage().startsWith("cannot read reroute claim " + f + ": "), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        }
        Files.delete(f);
        Files.createSymbolicLink(f, state.resolve("elsewhere.json"));
        Files.writeString(state.resolve("elsewhere.json"), good, StandardCharsets.UTF_8);
        assertThrows(MfshellException.class, claims::live, "a claim through a symbolic link is refused");
    }

    @Test
    void aSourceWithoutAddressOfItsOwnIsClaimedByName() {
        IncomingClaims claims = new IncomingClaims(state);
        IncomingClaims.Claim c = claims.add("rustin:postfix", null, "msn-b", List.of("hotmail.com"), "alice");
        assertEquals(List.of(c), claims.live());
        assertEquals(null, claims.live().get(0).fromAddress());
    }

    @Test
    void badPartsAreUsageErrorsBeforeAnythingIsWritten() {
        IncomingClaims claims0 = new IncomingClaims(state);
        List<String> many = new java.util.ArrayList<>();
        for (int i = 0; i < 65; i++) {
            many.add("d" + i + ".example.com");
        }
        assertThrows(UsageException.class, () -> claims0.add("rustin:msn-a", "127.0.168.4", "msn-b", many, "a"));
        assertThrows(UsageException.class, () -> claims0.add("rus\u202etin:msn-a", "127.0.168.4", "msn-b", List.of(), "a"));
        IncomingClaims claims = new IncomingClaims(state);
        assertThrows(UsageException.class, () -> claims.add("msn-a", "127.0.168.4", "msn-b", List.of(), "a"));
        assertThrows(UsageException.class, () -> claims.add("-oX=y:msn-a", "127.0.168.4", "msn-b", List.of(), "a"));
        assertThrows(UsageException.class, () -> claims.add("rustin:msn-a", "not-an-ip", "msn-b", List.of(), "a"));
        assertThrows(UsageException.class, () -> claims.add("rustin:msn-a", "127.0.168.4", "msn b", List.of(), "a"));
        assertThrows(UsageException.class, () -> claims.add("rustin:msn-a", "127.0.168.4", "msn-b", List.of("a\nb"), "a"));
        assertThrows(UsageException.class, () -> claims.release("../x"));
        assertFalse(Files.exists(state.resolve("claims")), "nothing written");
    }

    @Test
    void aReverseClaimClosesTheCycleUnderItsOwnNameOrTheTargetsAddress() {
        IncomingClaims claims = new IncomingClaims(state);
        // cleveland:msn-b is about to reroute to msn-a here, so msn-a -> cleveland:msn-b would loop.
        IncomingClaims.Claim c = claims.add("cleveland:msn-b", "127.0.169.5", "msn-a", List.of("hotmail.com"), "bob");
        RerouteGraph g = new RerouteGraph();
        for (IncomingClaims.Claim x : claims.live()) {
            g.add(new RerouteGraph.Edge(x.from(), x.to(), x.domains(), PreflightChecks.CLAIM_WHY + x.from()));
        }
        List<RerouteGraph.Edge> cycle = g.cycle("msn-a", "cleveland:msn-b", List.of("hotmail.com"));
        assertEquals(1, cycle.size(), cycle.toString());
        assertTrue(PreflightChecks.remedy(cycle).startsWith("let the reroute being started from cleveland:msn-b finish"),
                PreflightChecks.remedy(cycle));
        assertEquals(List.of(), g.cycle("msn-a", "cleveland:msn-b", List.of("aol.com")), "other domains do not loop");
        assertTrue(c.describe().startsWith("cleveland:msn-b -> msn-a for hotmail.com, claimed at "), c.describe());
    }

    @Test
    void aSourceRefusesToRecordItsJournalOnFactsWhoseClaimMayHaveEnded() {
        TargetFacts f = new TargetFacts("dev", "msn-b", "127.0.169.5", List.of("127.0.169.5:25"), true, "msn-b.lab.invalid",
                List.of("127.0.0.0/8"), true, "/etc/postfix-msn-b", List.of(), "2026-12-02T13:00:00Z", "0123456789abcdef");
        RerouteTarget fresh = RerouteTarget.remote("cleveland", f);
        RerouteRun.refuseStaleClaim(fresh);
        RerouteTarget old = new RerouteTarget(fresh.name(), fresh.host(), fresh.instance(), fresh.address(), true,
                fresh.mynetworks(), fresh.configDir(), f, System.nanoTime() - IncomingClaims.USABLE.plusSeconds(1).toNanos());
        MfshellException e = assertThrows(MfshellException.class, () -> RerouteRun.refuseStaleClaim(old));
        assertTrue(e.getMessage().contains("read more than 10 minutes ago (the claim lasts 30). Nothing was changed"),
                e.getMessage());
        // Facts read without a claim (a dry run) have nothing to outlive.
        RerouteRun.refuseStaleClaim(new RerouteTarget(old.name(), old.host(), old.instance(), old.address(), true,
                old.mynetworks(), old.configDir(), f.withClaim(null), old.factsReceivedNanos()));
    }
}
