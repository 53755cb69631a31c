// Benchmark helper (not part of mfshell): fills a Postfix instance's queue fast by speaking SMTP
// to its smtpd over several parallel connections, many transactions per connection.
// Usage: java bench/QueueFlood.java SERVER_IP PORT CLIENT_IP COUNT CONNECTIONS RCPT_DOMAIN...
// Loopback only: refuses any address outside 127.0.0.0/8.
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

public class QueueFlood {
    public static void main(String[] a) throws Exception {
        if (a.length < 6) {
            System.err.println("usage: QueueFlood SERVER_IP PORT CLIENT_IP COUNT CONNECTIONS DOMAIN...");
            System.exit(2);
        }
        String server = a[0];
        int port = Integer.parseInt(a[1]);
        String client = a[2];
        long count = Long.parseLong(a[3]);
        int conns = Integer.parseInt(a[4]);
        List<String> domains = List.of(a).subList(5, a.length);
        for (String ip : List.of(server, client)) {
            if (!InetAddress.getByName(ip).isLoopbackAddress()) {
                System.err.println("refusing non-loopback address " + ip);
                System.exit(2);
            }
        }
        AtomicLong next = new AtomicLong();
        AtomicLong done = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int c = 0; c < conns; c++) {
            Thread t = new Thread(() -> {
                try {
                    while (next.get() < count) {
                        session(server, port, client, count, next, done, domains);
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            t.start();
            threads.add(t);
        }
        Thread progress = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(5000);
                    System.err.printf("  %d/%d accepted (%.0f/s)%n", done.get(), count,
                            done.get() / ((System.nanoTime() - t0) / 1e9));
                }
            } catch (InterruptedException e) {
                // done
            }
        });
        progress.setDaemon(true);
        progress.start();
        for (Thread t : threads) {
            t.join();
        }
        System.err.printf("accepted %d messages in %.1f s%n", done.get(), (System.nanoTime() - t0) / 1e9);
        if (done.get() < count) {
            System.exit(1);
        }
    }

    /** One SMTP session of up to 1000 transactions (smtpd may limit a session; a new one is opened). */
    static void session(String server, int port, String client, long count, AtomicLong next, AtomicLong done,
                        List<String> domains) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(client, 0));
            s.connect(new InetSocketAddress(server, port), 10_000);
            s.setSoTimeout(60_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            expect(in, "220");
            send(out, "EHLO bulk.bench.test\r\n");
            expect(in, "250");
            for (int i = 0; i < 1000; i++) {
                long n = next.getAndIncrement();
                if (n >= count) {
                    break;
                }
                String rcpt = "user" + n + "@" + domains.get((int) (n % domains.size()));
                String body = "From: list@bulk.bench.test\r\nTo: " + rcpt + "\r\nSubject: bench " + n
                        + "\r\nMessage-Id: <bench." + n + "@bulk.bench.test>\r\n\r\nQueue benchmark message " + n + ".\r\n.\r\n";
                // Pipelined: MAIL, RCPT and DATA in one write, then their three replies.
                send(out, "MAIL FROM:<list@bulk.bench.test>\r\nRCPT TO:<" + rcpt + ">\r\nDATA\r\n");
                expect(in, "250");
                expect(in, "250");
                expect(in, "354");
                send(out, body);
                expect(in, "250");
                done.incrementAndGet();
            }
            send(out, "QUIT\r\n");
        }
    }

    static void send(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    static void expect(BufferedReader in, String code) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed, expected " + code);
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
        if (!line.startsWith(code)) {
            throw new IOException("expected " + code + ", got: " + line);
        }
    }
}
