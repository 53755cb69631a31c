package org.mfshell.log;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Turns {@code journalctl -o json} output into syslog lines
 * ({@code 2026-11-29T13:40:48.123456+00:00 HOST IDENT[PID]: MESSAGE}) so journal entries go
 * through exactly the same counting rule as files. Streams with Jackson's parser, one entry at
 * a time. Only entries whose SYSLOG_IDENTIFIER contains a {@code /} (Postfix daemons) are kept.
 * MESSAGE given as a byte array (journalctl does that for text that is not UTF-8) is kept as
 * bytes; a newline inside a message becomes a space. Malformed JSON is an IOException.
 */
public final class JournalLines extends InputStream {
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx")
            .withZone(ZoneOffset.UTC);
    private final JsonParser p;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(512);
    private byte[] cur = new byte[0];
    private int pos;
    private boolean eof;

    public JournalLines(InputStream json) throws IOException {
        // The runner drains and closes the process stream itself.
        this.p = new JsonFactory().disable(JsonParser.Feature.AUTO_CLOSE_SOURCE).createParser(json);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        while (pos >= cur.length) {
            if (eof || !next()) {
                eof = true;
                return -1;
            }
        }
        int n = Math.min(len, cur.length - pos);
        System.arraycopy(cur, pos, b, off, n);
        pos += n;
        return n;
    }

    /** Reads entries until one yields a line; false at the end. */
    private boolean next() throws IOException {
        while (true) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return false;
            }
            if (t != JsonToken.START_OBJECT) {
                throw new IOException("journalctl output: expected an object, got " + t);
            }
            String ident = null, pid = null, host = null, usec = null;
            byte[] msg = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "SYSLOG_IDENTIFIER" -> ident = text(v);
                    case "SYSLOG_PID" -> pid = text(v);
                    case "_PID" -> pid = pid == null ? text(v) : pid;
                    case "_HOSTNAME" -> host = text(v);
                    case "__REALTIME_TIMESTAMP" -> usec = text(v);
                    case "MESSAGE" -> msg = bytes(v);
                    default -> p.skipChildren();
                }
            }
            if (ident == null || ident.indexOf('/') < 0 || msg == null || usec == null) {
                continue;
            }
            long us;
            try {
                us = Long.parseLong(usec);
            } catch (NumberFormatException e) {
                continue;
            }
            line.reset();
            Instant at = Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1000);
            line.writeBytes(TS.format(at).getBytes(StandardCharsets.US_ASCII));
            line.write(' ');
            line.writeBytes((host == null || host.isEmpty() ? "localhost" : host).getBytes(StandardCharsets.UTF_8));
            line.write(' ');
            line.writeBytes(ident.getBytes(StandardCharsets.UTF_8));
            if (pid != null) {
                line.write('[');
                line.writeBytes(pid.getBytes(StandardCharsets.US_ASCII));
                line.write(']');
            }
            line.write(':');
            line.write(' ');
            for (byte x : msg) {
                line.write(x == '\n' || x == '\r' ? ' ' : x);
            }
            line.write('\n');
            cur = line.toByteArray();
            pos = 0;
            return true;
        }
    }

    private String text(JsonToken v) throws IOException {
        if (v == JsonToken.START_ARRAY || v == JsonToken.START_OBJECT) {
            byte[] b = bytes(v);
            return b == null ? null : new String(b, StandardCharsets.UTF_8);
        }
        return v == JsonToken.VALUE_NULL ? null : p.getText();
    }

    private byte[] bytes(JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            return p.getText().getBytes(StandardCharsets.UTF_8);
        }
        if (v == JsonToken.START_ARRAY) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            while (p.nextToken() == JsonToken.VALUE_NUMBER_INT) {
                b.write(p.getIntValue());
            }
            return b.toByteArray();
        }
        if (v == JsonToken.START_OBJECT) {
            p.skipChildren();
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        p.close();
    }
}
