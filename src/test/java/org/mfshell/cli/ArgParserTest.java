package org.mfshell.cli;

import org.mfshell.core.Durations;
import org.mfshell.core.ExitCodes;
import org.mfshell.core.UsageException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArgParserTest {
    private static final CommandSpec SPEC = CommandSpec.builder("flush")
            .argument(ArgSpec.required("SRC", "source", Completion.INSTANCE))
            .option(OptionSpec.value("to", "DST", "target", Completion.INSTANCE))
            .option(OptionSpec.value("domain", "D", "domain").asRepeatable())
            .option(OptionSpec.flag("json", "json"))
            .option(OptionSpec.choice("format", "F", "format", "mf", "table"))
            .option(OptionSpec.value("wait", "DUR", "wait"))
            .build();

    @Test
    void parsesPositionalsOptionsAndFlags() {
        ParsedArgs a = ArgParser.parse(SPEC, List.of("msn-a", "--to", "msn-b", "--domain", "hotmail.com",
                "--domain=outlook.com", "--json"));
        assertEquals("msn-a", a.arg(0).orElseThrow());
        assertEquals("msn-b", a.value("to").orElseThrow());
        assertEquals(List.of("hotmail.com", "outlook.com"), a.values("domain"));
        assertTrue(a.flag("json"));
    }

    @Test
    void flagNeverSwallowsTheNextWord() {
        // Spring Shell 4.0.1 read "mailq --json NAME" as --json=NAME; mfshell must not.
        ParsedArgs a = ArgParser.parse(SPEC, List.of("--json", "msn-a"));
        assertTrue(a.flag("json"));
        assertEquals("msn-a", a.arg(0).orElseThrow());
    }

    @Test
    void badInputIsAUsageErrorNamingTheProblem() {
        UsageException e = assertThrows(UsageException.class, () -> ArgParser.parse(SPEC, List.of("msn-a", "--bogus")));
        assertTrue(e.getMessage().contains("unknown option '--bogus'"), e.getMessage());
        assertEquals(ExitCodes.USAGE, e.exitCode());
        e = assertThrows(UsageException.class, () -> ArgParser.parse(SPEC, List.of("msn-a", "--to")));
        assertTrue(e.getMessage().contains("--to needs a value"), e.getMessage());
        e = assertThrows(UsageException.class, () -> ArgParser.parse(SPEC, List.of("msn-a", "--format", "xml")));
        assertTrue(e.getMessage().contains("must be one of mf, table"), e.getMessage());
        e = assertThrows(UsageException.class, () -> ArgParser.parse(SPEC, List.of()));
        assertTrue(e.getMessage().contains("missing SRC"), e.getMessage());
        e = assertThrows(UsageException.class, () -> ArgParser.parse(SPEC, List.of("a", "b")));
        assertTrue(e.getMessage().contains("unexpected argument 'b'"), e.getMessage());
        e = assertThrows(UsageException.class, () -> ArgParser.parse(SPEC, List.of("a", "--to", "x", "--to", "y")));
        assertTrue(e.getMessage().contains("given twice"), e.getMessage());
    }

    @Test
    void durations() {
        assertEquals(Duration.ofHours(2), Durations.parse("2h", "x"));
        assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m", "x"));
        assertEquals(Duration.ofDays(7), Durations.parse("7d", "x"));
        assertThrows(UsageException.class, () -> Durations.parse("2 hours", "--older-than"));
        assertThrows(UsageException.class, () -> Durations.parse("h", "--older-than"));
        assertThrows(UsageException.class, () -> Durations.parse("", "--older-than"));
        ParsedArgs a = ArgParser.parse(SPEC, List.of("msn-a", "--wait", "soon"));
        UsageException e = assertThrows(UsageException.class, () -> a.durationValue("wait"));
        assertTrue(e.getMessage().startsWith("--wait: bad duration 'soon'"), e.getMessage());
    }

    @Test
    void suggestedValuesAreOfferedNotEnforced() {
        CommandSpec spec = CommandSpec.builder("w").summary("s")
                .argument(ArgSpec.suggested("RELAY", "r", true, List.of("msn", "aol")))
                .option(OptionSpec.suggested("group", "G", "g", List.of("msn", "aol")))
                .build();
        ParsedArgs a = ArgParser.parse(spec, List.of("msn.smtp.example.org", "--group", "custom"));
        assertEquals("msn.smtp.example.org", a.arg(0).orElseThrow());
        assertEquals("custom", a.value("group").orElseThrow());
    }
}
