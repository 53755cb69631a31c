package org.mfshell.lab;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mfshell.core.MfshellException;
import org.mfshell.core.Quote;

/**
 * A minimal SMTP client for loopback only: submits messages to a lab instance's smtpd from a
 * chosen local 127/8 address, as a bulk mail server would. Errors: {@link MfshellException}
 * naming the server and the command when a reply is not the expected one or the connection fails.
 */
final class SmtpClient implements Closeable {
    private static final Pattern QUEUED_AS = Pattern.compile("queued as ([0-9A-Za-z]+)");
    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;
    private final String server;

    SmtpClient(String localAddress, String serverAddress, int port, String helo) {
        this.server = serverAddress + ":" + port;
        if (!serverAddress.startsWith("127.")) {
            throw new IllegalArgumentException("the lab only talks to loopback, not " + serverAddress);
        }
        try {
            socket = new Socket();
            socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            socket.connect(new InetSocketAddress(InetAddress.getByName(serverAddress), port), 5000);
            socket.setSoTimeout(30_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new MfshellException("cannot connect to " + server + ": " + e.getMessage(), e);
        }
        expect("banner", 220);
        command("EHLO " + helo, 250);
    }

    /** Reads the 220 banner of ADDR:port (connecting from localAddress) and closes; returns the banner line. */
    static String banner(String localAddress, String serverAddress, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            s.connect(new InetSocketAddress(InetAddress.getByName(serverAddress), port), 2000);
            s.setSoTimeout(5000);
            BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            String line = r.readLine();
            s.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            return line;
        }
    }

    /** Sends one message; returns the queue id from the server's "queued as" reply. */
    String send(String sender, List<String> recipients, String message) {
        command("MAIL FROM:<" + sender + ">", 250);
        for (String r : recipients) {
            command("RCPT TO:<" + r + ">", 250);
        }
        command("DATA", 354);
        StringBuilder data = new StringBuilder();
        for (String line : message.split("\r?\n", -1)) {
            data.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
        }
        data.append(".\r\n");
        write(data.toString());
        String reply = expect("end of data", 250);
        Matcher m = QUEUED_AS.matcher(reply);
        if (!m.find()) {
            throw new MfshellException(server + " accepted a message without a queue id: " + reply);
        }
        return m.group(1);
    }

    private String command(String line, int code) {
        write(line + "\r\n");
        return expect(line, code);
    }

    private void write(String s) {
        try {
            out.write(s.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new MfshellException("writing to " + server + ": " + e.getMessage(), e);
        }
    }

    /** Reads a (possibly multi-line) reply and checks its code; returns the last line. */
    private String expect(String what, int code) {
        try {
            String line;
            do {
                line = in.readLine();
                if (line == null) {
                    throw new MfshellException(server + " closed the connection after " + what);
                }
            } while (line.length() > 3 && line.charAt(3) == '-');
            if (!line.startsWith(Integer.toString(code))) {
                throw new MfshellException(server + " answered " + Quote.quote(line) + " to " + what);
            }
            return line;
        } catch (IOException e) {
            throw new MfshellException("reading from " + server + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            write("QUIT\r\n");
            in.readLine();
        } catch (RuntimeException | IOException ignored) {
            // closing anyway
        } finally {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing left to do
            }
        }
    }
}
