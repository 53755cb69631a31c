package org.mfshell.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mfshell.health.HealthEvaluator.GroupHealth;
import org.mfshell.health.HealthReport.InstanceHealth;
import org.mfshell.instance.InstanceRegistry;
import org.mfshell.instance.QueueCounts;
import org.mfshell.log.ReplyAccumulator;
import org.mfshell.postfix.ProcessRunner;
import org.mfshell.provider.ProviderGroups;

/** Which sibling a flush is suggested to, and for which domains. */
class SuggestionTest {
    private final HealthService service = new HealthService(new InstanceRegistry(Path.of("/nonexistent"),
            new ProcessRunner()), new ProcessRunner(), ProviderGroups.builtIn(), s -> s, Path.of("/nonexistent"));

    private static InstanceHealth row(String name, boolean running, GroupHealth... groups) {
        Verdict worst = Verdict.OK;
        for (GroupHealth g : groups) {
            worst = worst.worst(g.verdict());
        }
        return new InstanceHealth(name, "postfix-" + name, "192.0.2.1", running, QueueCounts.EMPTY, 0, 0, 0, 0, 0, 0,
                List.of(), worst, List.of(groups));
    }

    private static GroupHealth g(String group, long sent, Verdict v) {
        return new GroupHealth(group, sent, 0, 0, 0, 0, Map.of(), v, "");
    }

    private static final ReplyAccumulator.Replies REPLIES = new ReplyAccumulator.Replies(Map.of(), Map.of(),
            Map.of("postfix-msn-a", Map.of("outlook.com", 3L, "hotmail.com", 5L, "(none)", 1L, "gmail.com", 2L)), Map.of(), 0);

    @Test
    void theOkSiblingThatSentMostGetsTheBlockedDomainsOfTheGroup() {
        List<InstanceHealth> rows = List.of(row("msn-a", true, g("msn", 1, Verdict.BLOCKED), g("therest", 1, Verdict.OK)),
                row("msn-b", true, g("msn", 10, Verdict.OK)), row("msn-c", true, g("msn", 40, Verdict.OK)),
                row("aol-a", true, g("aol", 99, Verdict.OK)));
        List<HealthReport.Suggestion> s = service.suggestions(rows, REPLIES);
        assertEquals(1, s.size());
        assertEquals("flush msn-a --to msn-c --domain hotmail.com --domain outlook.com", s.get(0).command());
    }

    @Test
    void noSuggestionWithoutARunningOkSibling() {
        assertEquals(List.of(), service.suggestions(List.of(row("msn-a", true, g("msn", 1, Verdict.BLOCKED)),
                row("msn-b", true, g("msn", 10, Verdict.DEGRADED)), row("msn-c", false, g("msn", 10, Verdict.OK))), REPLIES));
        assertEquals(List.of(), service.suggestions(List.of(row("msn-a", true, g("msn", 1, Verdict.BLOCKED))), REPLIES));
    }

    @Test
    void aSiblingWithoutTrafficStillServesItsGroup() {
        List<HealthReport.Suggestion> s = service.suggestions(List.of(row("msn-a", true, g("msn", 1, Verdict.BLOCKED)),
                row("msn-b", true)), REPLIES);
        assertEquals("msn-b", s.get(0).sibling());
        assertEquals(List.of("hotmail.com", "outlook.com"), s.get(0).domains());
    }

    @Test
    void familyIsTheNameBeforeTheLastDash() {
        assertEquals("msn", HealthService.family("msn-a"));
        assertEquals("the-rest", HealthService.family("the-rest-b"));
        assertEquals("postfix", HealthService.family("postfix"));
    }
}
