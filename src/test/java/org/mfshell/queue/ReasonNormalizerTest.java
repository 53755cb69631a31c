package org.mfshell.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Grouping of deferral texts in the forms big providers send them, as Postfix writes them into
 * delay_reason ({@code host X[IP] said: ... (in reply to ... command)}, multi-line replies joined).
 */
class ReasonNormalizerTest {
    private final ReasonNormalizer n = new ReasonNormalizer();

    private static final String MS_1 = "host hotmail-com.olc.protection.outlook.com[52.101.42.3] said: 451 4.7.651 "
            + "The mail server [209.51.172.9] has been temporarily rate limited due to IP reputation. For e-mail "
            + "delivery information, see https://postmaster.live.com (S775) [Name=Protocol Filter Agent][AGT=PFA]"
            + "[MxId=11BA8E1A4C2D3F56] [BN1NAM02FT061.eop-nam02.prod.protection.outlook.com 2026-11-29T10:11:12.345Z "
            + "08DC1234ABCD5678] (in reply to MAIL FROM command)";
    private static final String MS_2 = "host outlook-com.olc.protection.outlook.com[52.101.8.44] said: 451 4.7.651 "
            + "The mail server [216.66.15.4] has been temporarily rate limited due to IP reputation. For e-mail "
            + "delivery information, see https://postmaster.live.com (S775) [Name=Protocol Filter Agent][AGT=PFA]"
            + "[MxId=11BAF00DCAFE0042] [AM4PEPF00027A6C.eurprd04.prod.outlook.com 2026-11-30T01:02:03.004Z "
            + "08DC9876FEDC4321] (in reply to RCPT TO command)";
    private static final String MS_650 = "host hotmail-com.olc.protection.outlook.com[52.101.42.3] said: 451 4.7.650 "
            + "The mail server [209.51.172.9] has been temporarily rate limited due to IP reputation. For e-mail "
            + "delivery information, see https://postmaster.live.com (S843) [CO1PEPF000044F2.namprd05.prod.outlook.com "
            + "2026-11-29T10:11:12.345Z 08DC1234ABCD5678] (in reply to MAIL FROM command)";
    private static final String YAHOO_1 = "host mta7.am0.yahoodns.net[67.195.204.72] said: 421 4.7.0 [TSS04] Messages "
            + "from 216.66.15.4 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see "
            + "https://postmaster.yahooinc.com/error-codes (in reply to MAIL FROM command)";
    private static final String YAHOO_2 = "host mta5.am0.yahoodns.net[98.136.96.75] said: 421 4.7.0 [TSS04] Messages "
            + "from 209.51.172.9 temporarily deferred due to unexpected volume or user complaints - 4.16.56.1; see "
            + "https://postmaster.yahooinc.com/error-codes (in reply to MAIL FROM command)";
    private static final String AOL = "host mx-aol.mail.gm0.yahoodns.net[67.195.228.94] said: 421 4.7.0 [TSS04] "
            + "Messages from 209.51.172.9 temporarily deferred due to unexpected volume or user complaints - "
            + "4.16.55.1; see https://postmaster.yahooinc.com/error-codes (in reply to MAIL FROM command)";
    private static final String GMAIL_1 = "host gmail-smtp-in.l.google.com[142.250.27.26] said: 421-4.7.28 "
            + "[216.66.15.4      15] Our system has detected an unusual rate of 421-4.7.28 unsolicited mail "
            + "originating from your IP address. To protect our 421-4.7.28 users from spam, mail sent from your IP "
            + "address has been temporarily 421-4.7.28 rate limited. Please visit 421-4.7.28  "
            + "https://support.google.com/mail/?p=UnsolicitedRateLimitError to 421 4.7.28 review our Bulk Email "
            + "Senders Guidelines. d2e1a72fcca58-6f3e2a1b2c5si123456b3a.421 - gsmtp (in reply to end of DATA command)";
    private static final String GMAIL_2 = "host alt1.gmail-smtp-in.l.google.com[2a00:1450:400c:c0b::1a] said: "
            + "421-4.7.28 [209.51.172.9      19] Our system has detected an unusual rate of 421-4.7.28 unsolicited "
            + "mail originating from your IP address. To protect our 421-4.7.28 users from spam, mail sent from your "
            + "IP address has been temporarily 421-4.7.28 rate limited. Please visit 421-4.7.28  "
            + "https://support.google.com/mail/?p=UnsolicitedRateLimitError to 421 4.7.28 review our Bulk Email "
            + "Senders Guidelines. 5b1f17b1804b1-43a1b2c3d4esi987654f12.77 - gsmtp (in reply to end of DATA command)";
    private static final String MAILBOX_FULL_1 = "host mx.example.org[192.0.2.10] said: 452 4.2.2 Mailbox full "
            + "<heidi@example.org> (in reply to RCPT TO command)";
    private static final String MAILBOX_FULL_2 = "host mx2.example.org[192.0.2.11] said: 452 4.2.2 Mailbox full "
            + "<ivan@example.org> (in reply to RCPT TO command)";
    private static final String REFUSED_1 = "connect to mx1.hotmail.com[52.101.1.1]:25: Connection refused";
    private static final String REFUSED_2 = "connect to mx4.hotmail.com[2603:1030:7::1]:25: Connection refused";
    private static final String TIMEOUT = "connect to mx4.hotmail.com[52.101.1.4]:25: Connection timed out";

    @Test
    void microsoftRateLimitFromDifferentHostsAndIpsIsOneReason() {
        assertEquals(n.normalize(MS_1), n.normalize(MS_2));
        String key = n.normalize(MS_1);
        assertTrue(key.startsWith("451 4.7.651 The mail server [<ip>] has been temporarily rate limited due to IP "
                + "reputation."), key);
        assertTrue(key.contains("https://postmaster.live.com (S775)"), key);
        assertTrue(!key.contains("52.101") && !key.contains("209.51") && !key.contains("BN1NAM02"), key);
    }

    @Test
    void differentStatusCodeIsADifferentReason() {
        assertNotEquals(n.normalize(MS_1), n.normalize(MS_650));
    }

    @Test
    void yahooAndAolTss04GroupTogether() {
        assertEquals(n.normalize(YAHOO_1), n.normalize(YAHOO_2));
        assertEquals(n.normalize(YAHOO_1), n.normalize(AOL));
        assertTrue(n.normalize(YAHOO_1).startsWith("421 4.7.0 [TSS04] Messages from <ip> temporarily deferred"));
    }

    @Test
    void gmailMultiLineRepliesOverIpv4AndIpv6() {
        assertEquals(n.normalize(GMAIL_1), n.normalize(GMAIL_2));
        String key = n.normalize(GMAIL_1);
        assertTrue(key.startsWith("421 4.7.28 [<ip> <n>] Our system has detected an unusual rate"), key);
        assertTrue(key.contains("https://support.google.com/mail/?p=UnsolicitedRateLimitError"), key);
        // The codes each line of the reply repeats are gone; the text reads as one sentence.
        assertTrue(key.contains("unusual rate of unsolicited mail originating from your IP address. To protect our "
                + "users from spam, mail sent from your IP address has been temporarily rate limited. Please visit "
                + "https://support.google.com/mail/?p=UnsolicitedRateLimitError to review our Bulk Email Senders "
                + "Guidelines. <host> - gsmtp"), key);
        assertEquals(1, key.split("4\\.7\\.28", -1).length - 1, key);
    }

    @Test
    void repeatedCodesGoOnlyWhenTheyAreTheReplysOwn() {
        assertEquals("550 5.7.1 Rejected: see <n> policy", n.normalize("550-5.7.1 Rejected: 550-5.7.1 see 550 policy"),
                "a bare 550 not followed by 5.7.1 stays (as a number)");
        assertEquals("550 5.7.1 Rejected, see policy", n.normalize("550-5.7.1 Rejected, 550 5.7.1 see 550-5.7.1 policy"));
        assertEquals("554 Blocked for spam <n>", n.normalize("554-Blocked 554- for spam 421-4.7.1"),
                "another code's continuation is not this reply's");
        assertEquals("451 4.7.651 text", n.normalize("451 4.7.651 text 451 4.7.651"));
    }

    @Test
    void addressesAndConnectionErrors() {
        assertEquals(n.normalize(MAILBOX_FULL_1), n.normalize(MAILBOX_FULL_2));
        assertEquals("452 4.2.2 Mailbox full <address>", n.normalize(MAILBOX_FULL_1));
        assertEquals(n.normalize(REFUSED_1), n.normalize(REFUSED_2));
        assertEquals("connect to <host>: Connection refused", n.normalize(REFUSED_1));
        assertNotEquals(n.normalize(REFUSED_1), n.normalize(TIMEOUT));
        assertEquals(n.normalize(TIMEOUT), n.normalize("delivery temporarily suspended: " + TIMEOUT),
                "a destination marked dead by the same failure is the same cause");
    }

    @Test
    void allProvidersStayApart() {
        List<String> one = List.of(MS_1, MS_650, YAHOO_1, GMAIL_1, MAILBOX_FULL_1, REFUSED_1, TIMEOUT);
        Set<String> keys = one.stream().map(n::normalize).collect(Collectors.toSet());
        assertEquals(one.size(), keys.size());
    }

    @Test
    void realQueueFixtureGroups() {
        Set<String> keys = Fixtures.messages("postqueue-j-stopped.jsonl").stream()
                .flatMap(m -> m.recipients().stream())
                .filter(r -> r.delayReason() != null && r.domain().equals("hotmail.com"))
                .map(r -> n.normalize(r.delayReason()))
                .collect(Collectors.toSet());
        // Ten hotmail.com recipients deferred by the test server, each naming another made-up server and time.
        assertEquals(1, keys.size(), keys.toString());
    }

    @Test
    void hostWithAddressReplyCodesInTheTextAndAddressesInUrls() {
        assertEquals("lost connection with <host> while receiving the initial server greeting",
                n.normalize("lost connection with gmail.com[173.194.126.86] while receiving the initial server greeting"));
        assertEquals("host <host> refused to talk to me: 421 4.7.1 Intrusion prevention active",
                n.normalize("host mail.example.com[192.0.2.79] refused to talk to me: 421 4.7.1 Intrusion prevention active"));
        String a = n.normalize("host mx.example.net[198.51.100.4] said: 421 4.7.1 "
                + "http://postmaster.example.net/response_codes?ip=8.19.240.91#unavailable Recipient account is unavailable");
        String b = n.normalize("host mx2.example.net[198.51.100.5] said: 421 4.7.1 "
                + "http://postmaster.example.net/response_codes?ip=65.39.225.213#unavailable Recipient account is unavailable");
        assertEquals(a, b);
        assertEquals("421 4.7.1 http://postmaster.example.net/response_codes?ip=<ip>#unavailable Recipient account is unavailable", a);
        assertEquals("see https://example.org/v1.2/page", n.normalize("see https://example.org/v1.2/page"), "no dotted quad, untouched");
        assertEquals("see https://example.org/a/1.2.3.4.5", n.normalize("see https://example.org/a/1.2.3.4.5"), "five groups: not an address");
    }

    @Test
    void theCacheKeyWithoutTheAddressGivesTheSameKeyAsTheText() {
        String lab = "host 127.0.231.20[127.0.231.20] said: 451 4.7.651 <user23111@outlook.com>: Recipient address "
                + "rejected: The mail server [127.0.231.4] has been temporarily rate limited due to IP reputation. For "
                + "e-mail delivery information, see https://postmaster.live.com (S775) [msn-a.lab.invalid] (in reply to "
                + "RCPT TO command)";
        assertEquals(lab.replace("user23111@outlook.com", "a@b"), ReasonNormalizer.maskAddresses(lab));
        assertEquals(n.normalize(lab), n.normalize(lab.replace("user23111", "user9")));
        List<String> words = List.of("<u.x-1+t=2@ex-1.org>", "<u@b>", "<a@b>", "<a@b>:", "<x@y.z>),;", "<1@2>",
                "<.u@x.org>", "<u@x.org.>", "<u@x.org>x", "<u@x.org>(in", "<u x@y.org>", "<u@[192.0.2.1]>", "<@x.org>",
                "<u@>", "<u@x.org", "<>", "<", "x<u@x.org>", "<<u@x.org>>", "<u@x>>", "<u\"@x.org>", "<u@x@y.org>",
                "<3@4.5.6.7>", "<4.7.1@x>", "<http://a@b.c/1.2.3.4>");
        List<String> texts = List.of("WORD", "452 4.2.2 Mailbox full WORD (in reply to RCPT TO command)",
                "host mx.example.org[192.0.2.10] said: 451 4.7.1 WORD rejected (in reply to RCPT TO command)",
                "WORD said: 451 4.7.1 x", "451 WORD", "451-4.7.1 WORD 451 4.7.1 WORD 451-4.7.1 more",
                "delivery temporarily suspended: WORD", "host WORD[1.2.3.4] said: 550 no", "421 WORD 4.7.0 text WORD",
                "550 5.1.1 WORD\tWORD\nWORD", "  WORD  ", "x WORD(in reply to RCPT TO command)",
                "host x said: WORD (in reply to WORD command)");
        int masked = 0;
        for (String t : texts) {
            for (String w : words) {
                for (String w2 : List.of(w, "<someone.else@example.net>", "<u@x.org>")) {
                    String r = t.replaceFirst("WORD", java.util.regex.Matcher.quoteReplacement(w)).replace("WORD", w2);
                    String m = ReasonNormalizer.maskAddresses(r);
                    if (!m.equals(r)) {
                        masked++;
                    }
                    assertEquals(ReasonNormalizer.computeUnmasked(r), ReasonNormalizer.computeUnmasked(m), r + " masked as " + m);
                    assertEquals(ReasonNormalizer.computeUnmasked(r), new ReasonNormalizer().normalize(r), r);
                }
            }
        }
        assertTrue(masked > texts.size() * 3, "masked only " + masked);
    }

    @Test
    void nullAndBlank() {
        assertEquals("", n.normalize(null));
        assertEquals("", n.normalize("   "));
    }
}
