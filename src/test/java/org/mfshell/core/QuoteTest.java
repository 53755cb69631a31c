package org.mfshell.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QuoteTest {
    @Test
    void escapesControlCharactersInsideQuotes() {
        assertEquals("'hotmail.com'", Quote.quote("hotmail.com"));
        assertEquals("'a\\nb\\rc\\td'", Quote.quote("a\nb\rc\td"));
        assertEquals("'\\x1b[31mred\\x1b[0m'", Quote.quote("\u001b[31mred\u001b[0m"));
        assertEquals("'\\x00\\x7f\\x9b'", Quote.quote("\u0000\u007f\u009b"));
        assertEquals("'it\\'s a\\\\b'", Quote.quote("it's a\\b"));
        assertEquals("'x\\u2028y\\u202ez'", Quote.quote("x\u2028y\u202ez"));
        assertEquals("'b\u00fccher.example'", Quote.quote("b\u00fccher.example"));
        assertEquals("''", Quote.quote(null));
    }

    @Test
    void longInputIsCut() {
        String q = Quote.quote("x".repeat(1000));
        assertEquals(Quote.MAX + 5, q.length());
        assertTrue(q.endsWith("...'"));
    }

    @Test
    void oneLineLeavesQuotedPartsAlone() {
        assertEquals("bad domain 'a\\nb': it's bad\\n", Quote.oneLine("bad domain " + Quote.quote("a\nb") + ": it's bad\n"));
        assertFalse(Quote.oneLine("a\u001b\nb").chars().anyMatch(c -> c < 0x20));
    }
}
