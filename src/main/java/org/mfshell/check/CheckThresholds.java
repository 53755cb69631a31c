package org.mfshell.check;

/**
 * The warning and critical ranges of {@code check}, per instance: messages in the deferred queue,
 * age of the oldest deferred message (seconds), messages on hold, and the deferral ratio in the
 * window (percent of delivery attempts). Defaults fit a bulk relay, where a few thousand deferred
 * messages and a few hours of retrying are ordinary.
 */
public record CheckThresholds(Range deferredWarning, Range deferredCritical, Range ageWarning, Range ageCritical,
                              Range heldWarning, Range heldCritical, Range ratioWarning, Range ratioCritical) {
    public static final String DEFERRED_WARNING = "2000";
    public static final String DEFERRED_CRITICAL = "10000";
    public static final String AGE_WARNING = "4h";
    public static final String AGE_CRITICAL = "1d";
    public static final String HELD_WARNING = "100";
    public static final String HELD_CRITICAL = "1000";
    public static final String RATIO_WARNING = "50";
    public static final String RATIO_CRITICAL = "80";
}
