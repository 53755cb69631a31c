package org.mfshell.queue;

import java.util.regex.Pattern;
import org.mfshell.core.UsageException;
import org.mfshell.core.Quote;

/**
 * The rule for queue ids before they reach postsuper, postcat or postqueue: letters and digits
 * only, as Postfix's short (hex, e.g. 9DD2720C5DF) and long (e.g. 4jcqkn6sDVzJ9mB) ids are.
 */
public final class QueueIds {
    private static final Pattern ID = Pattern.compile("[0-9A-Za-z]{5,32}");

    private QueueIds() {
    }

    public static boolean isValid(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** Returns the id, or throws a {@link UsageException} naming it. */
    public static String require(String id) {
        if (!isValid(id)) {
            throw new UsageException(Quote.quote(id) + " is not a Postfix queue id (letters and digits, "
                    + "e.g. 9DD2720C5DF or 4jcqkn6sDVzJ9mB)");
        }
        return id;
    }
}
