package org.mfshell.watch;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The receiving end of watch's webhook in the lab tests: the JDK's HttpServer on a loopback
 * address, keeping every request (path, Idempotency-Key, body, the status it answered), answering
 * with {@link #status} (200 unless a test sets a failure).
 */
final class WebhookSink implements AutoCloseable {
    record Request(String path, String method, String idempotencyKey, String contentType, String body, int answered) {
    }

    final AtomicInteger status = new AtomicInteger(200);
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    WebhookSink(String host, int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 0);
        server.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int code = status.get();
            requests.add(new Request(ex.getRequestURI().getPath(), ex.getRequestMethod(),
                    ex.getRequestHeaders().getFirst("Idempotency-Key"), ex.getRequestHeaders().getFirst("Content-Type"),
                    body, code));
            ex.sendResponseHeaders(code, -1);
            ex.close();
        });
        server.start();
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    String url(String path) {
        InetSocketAddress a = server.getAddress();
        return "http://" + a.getAddress().getHostAddress() + ":" + a.getPort() + path;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
