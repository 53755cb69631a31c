package org.mfshell.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mfshell.core.UsageException;

class LineSplitterTest {
    @Test
    void splitsLikeAShellWithoutEvaluating() {
        assertEquals(List.of("mailq", "msn-a", "--reason", "rate limited"),
                LineSplitter.split("mailq msn-a --reason 'rate limited'"));
        assertEquals(List.of("a", "b c", "$(rm -rf /)"), LineSplitter.split("a \"b c\" '$(rm -rf /)'"));
        assertEquals(List.of("x y"), LineSplitter.split("x\\ y"));
        assertEquals(List.of(), LineSplitter.split("   "));
        assertThrows(UsageException.class, () -> LineSplitter.split("mailq 'msn-a"));
    }
}
