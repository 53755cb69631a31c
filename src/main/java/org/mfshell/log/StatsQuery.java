package org.mfshell.log;

import java.time.ZoneId;
import java.util.Set;
import org.mfshell.provider.ProviderGroups;

/**
 * What to count: rows by instance (syslog name), recipient domain or provider group; only the
 * given syslog names (empty: all); only lines in [sinceMs, untilMs) (null: open).
 */
public record StatsQuery(By by, Set<String> names, Long sinceMs, Long untilMs, ZoneId zone, ProviderGroups providers) {
    public enum By { INSTANCE, DOMAIN, PROVIDER }

    public static StatsQuery all() {
        return new StatsQuery(By.INSTANCE, Set.of(), null, null, ZoneId.systemDefault(), null);
    }

    public boolean timeFiltered() {
        return sinceMs != null || untilMs != null;
    }
}
