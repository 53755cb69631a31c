package org.mfshell.flush;

import java.util.List;
import java.util.Map;
import org.mfshell.instance.PostfixInstance;

/**
 * Step 0's findings: both instances, the target's sending address and greeting, what in its
 * mynetworks admits the source, the deferred recipients that will move per domain, and warnings.
 */
public record Preflight(PostfixInstance source, PostfixInstance target, String targetAddress, String sourceAddress,
                        String banner, String admittedBy, Map<String, Integer> movingByDomain, int movingMessages,
                        List<String> checks, List<String> warnings) {
}
