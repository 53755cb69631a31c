package org.mfshell.dns;

import java.util.List;

/**
 * The answer to one question ({@code name}, {@code type}): OK with the record data (addresses as
 * text, PTR and CNAME targets without the final dot, TXT strings joined), NXDOMAIN (the name does
 * not exist), NODATA (it exists without records of that type), or FAILED (timeout, SERVFAIL,
 * REFUSED, network error: "cannot tell", with {@code error} saying which). {@code ttl} is the
 * smallest TTL of the records, or the negative-caching TTL of NXDOMAIN and NODATA (RFC 2308);
 * {@code cached} says the answer came from mfshell's cache.
 */
public record DnsAnswer(String name, RecordType type, Status status, List<String> data, long ttl, String error,
                        boolean cached) {
    public enum Status { OK, NXDOMAIN, NODATA, FAILED }

    public static DnsAnswer failed(String name, RecordType type, String error) {
        return new DnsAnswer(name, type, Status.FAILED, List.of(), 0, error, false);
    }

    /** False when the resolver could not tell (timeout, SERVFAIL, ...). */
    public boolean known() {
        return status != Status.FAILED;
    }
}
