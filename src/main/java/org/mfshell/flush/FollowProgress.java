package org.mfshell.flush;

import org.mfshell.log.DeliveryLine;
import java.time.Duration;
import java.util.List;

/**
 * Where a drain stands: recipients tracked when the flush began, how many are still queued in
 * the source, relayed to the target (status=sent via its address), delivered some other way,
 * refused (bounced, or kept by soft_bounce), and the new matching log lines since the last
 * report. {@code stopLine} is the log line that stopped the drain, or null.
 */
public record FollowProgress(int tracked, int stillQueued, int moved, int deliveredElsewhere, int bounced,
                             Duration elapsed, List<DeliveryLine> newLines, boolean finished, boolean drained,
                             String stopLine) {
}
