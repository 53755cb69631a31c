package org.mfshell.watch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The receiving end of watch's mail in the lab tests: a minimal SMTP server (EHLO/HELO, MAIL,
 * RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT) on a loopback address, keeping every message
 * it accepted. The sending side is the real Postfix smtp client of a lab instance.
 */
final class SmtpSink implements AutoCloseable {
    record Message(String from, List<String> to, String data) {
        String header(String name) {
            for (String l : data.split("\r?\n")) {
                if (l.isEmpty()) {
                    break;
                }
                if (l.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                    return l.substring(name.length() + 1).strip();
                }
            }
            return null;
        }
    }

    private final ServerSocket server;
    private final List<Message> messages = new CopyOnWriteArrayList<>();
    private final Thread thread;

    SmtpSink(String host, int port) throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        thread = new Thread(this::serve, "smtp-sink");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return server.getLocalPort();
    }

    List<Message> messages() {
        return List.copyOf(messages);
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                s.setSoTimeout(30_000);
                session(s);
            } catch (IOException e) {
                // next connection (or closed)
            }
        }
    }

    private void session(Socket s) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = s.getOutputStream();
        reply(out, "220 sink.watch.test ESMTP test sink");
        String from = null;
        List<String> to = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null) {
            String u = line.toUpperCase(java.util.Locale.ROOT);
            if (u.startsWith("EHLO") || u.startsWith("HELO")) {
                reply(out, "250 sink.watch.test");
            } else if (u.startsWith("MAIL FROM:")) {
                from = line.substring(10).strip();
                to = new ArrayList<>();
                reply(out, "250 2.1.0 Ok");
            } else if (u.startsWith("RCPT TO:")) {
                to.add(line.substring(8).strip());
                reply(out, "250 2.1.5 Ok");
            } else if (u.equals("DATA")) {
                reply(out, "354 End data with <CR><LF>.<CR><LF>");
                StringBuilder data = new StringBuilder();
                String d;
                while ((d = in.readLine()) != null && !d.equals(".")) {
                    data.append(d.startsWith(".") ? d.substring(1) : d).append('\n');
                }
                messages.add(new Message(from, List.copyOf(to), data.toString()));
                reply(out, "250 2.0.0 Ok: queued");
            } else if (u.equals("QUIT")) {
                reply(out, "221 2.0.0 Bye");
                return;
            } else if (u.equals("RSET") || u.equals("NOOP")) {
                reply(out, "250 2.0.0 Ok");
            } else {
                reply(out, "502 5.5.2 Error: command not recognized");
            }
        }
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
