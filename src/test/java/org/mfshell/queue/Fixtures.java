package org.mfshell.queue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.mfshell.postfix.QueueReader;
import org.mfshell.postfix.QueueMessage;
import org.mfshell.postfix.MalformedLine;

/** Reads the saved real postqueue outputs under src/test/resources/queue/. */
public final class Fixtures {
    private Fixtures() {
    }

    public static String text(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/queue/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a JSON Lines text; malformed lines are collected into {@code bad} (may be null). */
    public static List<QueueMessage> parse(String jsonl, List<MalformedLine> bad) {
        List<QueueMessage> list = new ArrayList<>();
        QueueReader.read(new ByteArrayInputStream(jsonl.getBytes(StandardCharsets.UTF_8)), new QueueReader.Handler() {
            @Override
            public boolean message(QueueMessage m) {
                list.add(m);
                return true;
            }

            @Override
            public void malformed(MalformedLine line) {
                if (bad == null) {
                    throw new AssertionError("unexpected malformed " + line);
                }
                bad.add(line);
            }
        });
        return list;
    }

    public static List<QueueMessage> messages(String name) {
        return parse(text(name), null);
    }
}
