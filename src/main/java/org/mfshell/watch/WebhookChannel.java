package org.mfshell.watch;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.mfshell.core.MfshellException;

/**
 * POSTs a notice's JSON to the configured URL (java.net.http, redirects never followed, one
 * timeout for connect and answer) with {@code Content-Type: application/json} and
 * {@code Idempotency-Key: KEY} (the JSON's {@code id} too). Accepted means a 2xx answer; anything
 * else is a failure naming the status or the I/O reason.
 */
public final class WebhookChannel implements Channel {
    private final URI url;
    private final Duration timeout;
    private final Map<String, String> headers;
    private final String userAgent;
    private HttpClient client;

    public WebhookChannel(URI url, Duration timeout, Map<String, String> headers, String userAgent) {
        this.url = url;
        this.timeout = timeout;
        this.headers = headers;
        this.userAgent = userAgent;
    }

    @Override
    public String name() {
        return "webhook";
    }

    @Override
    public void send(Notice n) throws Exception {
        if (client == null) {
            client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", n.key())
                .header("User-Agent", userAgent)
                .POST(HttpRequest.BodyPublishers.ofString(n.json(), StandardCharsets.UTF_8));
        headers.forEach(b::header);
        HttpResponse<Void> r;
        try {
            r = client.send(b.build(), HttpResponse.BodyHandlers.discarding());
        } catch (java.io.IOException e) {
            throw new MfshellException("POST " + url + ": " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()), e);
        }
        if (r.statusCode() / 100 != 2) {
            throw new MfshellException("POST " + url + ": HTTP " + r.statusCode());
        }
    }
}
