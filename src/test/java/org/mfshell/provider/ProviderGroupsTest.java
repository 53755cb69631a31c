package org.mfshell.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mfshell.core.MfshellException;

/** The shared provider-groups file: built-in content, subdomains, continuation lines and clear errors. */
class ProviderGroupsTest {
    @Test
    void builtInGroups() {
        ProviderGroups g = ProviderGroups.builtIn();
        assertEquals(List.of("msn", "aol", "earthlink", "therest"), g.names());
        assertEquals("msn", g.groupOf("hotmail.com"));
        assertEquals("msn", g.groupOf("Outlook.COM"));
        assertEquals("msn", g.groupOf("live.com"));
        assertEquals("aol", g.groupOf("aol.com"));
        assertEquals("earthlink", g.groupOf("mindspring.com"));
        assertEquals("aol", g.groupOf("mx.aol.com"));
        assertEquals("therest", g.groupOf("gmail.com"));
        assertEquals("therest", g.groupOf("notaol.com"));
        assertEquals("therest", g.groupOf(""));
        assertTrue(g.domains("msn").contains("msn.com"));
        assertEquals(List.of(), g.domains("therest"));
    }

    @Test
    void parsesContinuationsAndComments() throws Exception {
        ProviderGroups g = ProviderGroups.parse(new StringReader("# c\nyahoo: yahoo.com # inline\n   ymail.com\n\ngmail: gmail.com\n"), "t");
        assertEquals(List.of("yahoo.com", "ymail.com"), g.domains("yahoo"));
        assertEquals("gmail", g.groupOf("googlemail.gmail.com"));
    }

    @Test
    void errorsNameFileAndLine() {
        MfshellException dup = assertThrows(MfshellException.class,
                () -> ProviderGroups.parse(new StringReader("a: x.com\nb: x.com\n"), "f.txt"));
        assertEquals("f.txt:2: domain x.com is already in group a", dup.getMessage());
        MfshellException bad = assertThrows(MfshellException.class,
                () -> ProviderGroups.parse(new StringReader("a: not_a_domain\n"), "f.txt"));
        assertEquals("f.txt:1: bad domain 'not_a_domain'", bad.getMessage());
        assertThrows(MfshellException.class, () -> ProviderGroups.parse(new StringReader("therest: a.com\n"), "f"));
        assertThrows(MfshellException.class, () -> ProviderGroups.parse(new StringReader("  a.com\n"), "f"));
    }
}
