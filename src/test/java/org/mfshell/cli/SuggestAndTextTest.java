package org.mfshell.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** "Did you mean" distances and the word wrap / ellipsis used to fit output to a terminal. */
class SuggestAndTextTest {
    private static final List<String> COMMANDS = List.of("instances", "mailq", "stats", "show", "hold", "release",
            "requeue", "delete", "flush", "reroutes", "version", "lab", "health", "warmup", "relay-map", "help");

    @Test
    void nearMissesGetTheCommand() {
        assertEquals(Optional.of("mailq"), Suggest.nearest("mialq", COMMANDS), "two letters swapped");
        assertEquals(Optional.of("mailq"), Suggest.nearest("mailx", COMMANDS));
        assertEquals(Optional.of("instances"), Suggest.nearest("instance", COMMANDS));
        assertEquals(Optional.of("stats"), Suggest.nearest("stat", COMMANDS));
        assertEquals(Optional.of("--since"), Suggest.nearest("--sinse", List.of("--since", "--until", "--log")));
    }

    @Test
    void farOrAmbiguousWordsGetNothing() {
        assertEquals(Optional.empty(), Suggest.nearest("frobnicate", COMMANDS));
        assertEquals(Optional.empty(), Suggest.nearest("x", COMMANDS), "one letter is near everything short");
        assertEquals(Optional.empty(), Suggest.nearest("mal", List.of("mall", "malt")), "mall and malt are as near");
    }

    @Test
    void distanceCountsASwapAsOne() {
        assertEquals(1, Suggest.distance("mialq", "mailq"));
        assertEquals(2, Suggest.distance("mailq", "mai"));
        assertEquals(0, Suggest.distance("a", "a"));
    }

    @Test
    void wrapBreaksOnSpacesNeverInsideAWord() {
        List<String> lines = Text.wrap("how many recipients were rate limited at msn-a today", 20, "  ");
        for (String l : lines) {
            assertTrue(l.length() <= 20, l);
        }
        assertEquals("how many recipients", lines.get(0));
        assertEquals("  were rate limited", lines.get(1));
        assertEquals(String.join(" ", "how many recipients were rate limited at msn-a today".split(" ")),
                String.join(" ", lines).replaceAll(" +", " "));
    }

    @Test
    void wrapCutsOnlyAWordLongerThanTheLine() {
        List<String> lines = Text.wrap("x " + "a".repeat(25), 10, "");
        assertEquals(List.of("x", "aaaaaaaaaa", "aaaaaaaaaa", "aaaaa"), lines);
    }

    @Test
    void noWidthMeansNoChange() {
        String s = "a long line ".repeat(20);
        assertEquals(List.of(s), Text.wrap(s, 0, ""));
        assertEquals(s, Text.cut(s, 0));
    }

    @Test
    void cutEndsInAnEllipsisAndClosesColour() {
        assertEquals("hotm\u2026", Text.cut("hotmail.com", 5));
        assertEquals("hotmail.com", Text.cut("hotmail.com", 11));
        String red = "\u001B[31mdeferred\u001B[0m";
        String cut = Text.cut(red, 4);
        assertEquals(4, Text.visibleLength(cut));
        assertTrue(cut.endsWith("\u2026\u001B[0m"), cut);
    }
}
