package org.mfshell.flush;

import java.util.List;
import java.util.Map;
import org.mfshell.instance.PostfixInstance;

/**
 * Step 1's findings: both instances (the target maybe on another host), the target's sending address and greeting, what in its
 * mynetworks admits the source, each check with its verdict, how the reroute transport must be
 * built (the base service, a name of its own when the source's would loop, and the interface
 * overrides when Postfix would take the target's address for its own), which maps
 * transport_maps already had, and the deferred recipients that will move per domain.
 */
public record Preflight(PostfixInstance source, RerouteTarget target, String targetAddress, String sourceAddress,
                        String banner, String admittedBy, Map<String, Integer> movingByDomain, int movingMessages,
                        List<Check> results, String baseService, String ownName, String heloName,
                        List<String> existingMaps, List<String> checkRecipients, String inetInterfaces,
                        boolean clearProxyInterfaces) {

    /** One check: its name, what it found, and for a refusal what would make it safe. */
    public record Check(String name, Verdict verdict, String detail, String remedy) {
        public enum Verdict { OK, WARN, REFUSE }
    }

    public List<String> checks() {
        return results.stream().filter(c -> c.verdict() == Check.Verdict.OK).map(Check::detail).toList();
    }

    public List<String> warnings() {
        return results.stream().filter(c -> c.verdict() == Check.Verdict.WARN).map(Check::detail).toList();
    }

    public List<Check> refusals() {
        return results.stream().filter(c -> c.verdict() == Check.Verdict.REFUSE).toList();
    }
}
