package org.mfshell.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
    @Test
    void oneLinePerActionEvenWithNewlines(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("log/mfshell/audit.log");
        AuditLog a = new AuditLog(file);
        a.record("flush msn-a --to msn-b", "step 2 (write-map) done");
        a.record("flush msn-a --domain \"x\ny\"", "failed");
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ user=\"[^\"]+\" pid=\\d+ "
                + "command=\"flush msn-a --to msn-b\" result=\"step 2 \\(write-map\\) done\""), lines.get(0));
        assertTrue(lines.get(1).contains("command=\"flush msn-a --domain \\\"x\\ny\\\"\""), lines.get(1));
    }
}
