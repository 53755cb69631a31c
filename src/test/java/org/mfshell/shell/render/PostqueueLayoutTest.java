package org.mfshell.shell.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.mfshell.queue.Fixtures;
import org.mfshell.postfix.QueueMessage;

/**
 * The {@code postqueue -p} layout rendered from {@code -j} must equal what postqueue itself printed
 * for the same queue (both captured from the same stopped instance; times in UTC as captured).
 */
class PostqueueLayoutTest {

    @Test
    void longIdLayoutEqualsPostqueueP() {
        assertEquals(Fixtures.text("postqueue-p-stopped.txt"), render("postqueue-j-stopped.jsonl", true));
    }

    @Test
    void shortIdLayoutEqualsPostqueueP() {
        assertEquals(Fixtures.text("postqueue-p-shortlayout.txt"), render("postqueue-j-shortlayout.jsonl", false));
    }

    @Test
    void emptyQueue() {
        StringWriter sw = new StringWriter();
        PostqueueLayout l = new PostqueueLayout(new PrintWriter(sw), true, ZoneOffset.UTC);
        l.finish();
        assertEquals("Mail queue is empty\n", sw.toString());
    }

    private static String render(String fixture, boolean longIds) {
        StringWriter sw = new StringWriter();
        PrintWriter pw = new PrintWriter(sw);
        PostqueueLayout l = new PostqueueLayout(pw, longIds, ZoneOffset.UTC);
        for (QueueMessage m : Fixtures.messages(fixture)) {
            l.message(m);
        }
        l.finish();
        pw.flush();
        return sw.toString().replace(System.lineSeparator(), "\n");
    }
}
