package org.mfshell.postfix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mfshell.testutil.PostfixDirs;

/** Postconf over a fixture config dir read by the installed postconf: values and -o overrides come expanded. */
class PostconfTest {
    @TempDir
    Path root;

    @Test
    void mainCfAndMasterCfValuesAreExpanded() throws Exception {
        Path d = PostfixDirs.instance(root, "postfix-msn-a", "myvar = 127.0.0.9\nhelo = relay-$myvar.example\n"
                + "transport_maps = hash:$config_directory/transport.relay\n", PostfixDirs.master(List.of(
                "smtp      unix  -       -       n       -       -       smtp -o smtp_bind_address=$myvar",
                "  -o { smtp_helo_name = $helo, x } -o syslog_name=postfix-msn-a")), true);
        Postconf pc = new Postconf(new ProcessRunner());
        assertEquals(Map.of("transport_maps", "hash:" + d + "/transport.relay", "myvar", "127.0.0.9"),
                pc.values(d, List.of("-x", "transport_maps", "myvar")));
        Postconf.MasterService smtp = pc.services(d).stream().filter(s -> s.name().equals("smtp")).findFirst()
                .orElseThrow();
        assertEquals(Map.of("smtp_bind_address", "127.0.0.9", "smtp_helo_name", "relay-127.0.0.9.example, x",
                "syslog_name", "postfix-msn-a"), smtp.overrides());
        assertEquals("127.0.0.9", pc.masterOverrides(d).get("smtp/unix/smtp_bind_address"));
    }

    @Test
    void parsesBracedArgumentsAsPostconfPrintsThem() {
        List<Postconf.MasterService> s = Postconf.parseServices(
                "smtp       unix  -       -       n       -       -       smtp -o smtp_bind_address=127.0.0.9 "
                        + "-o {smtp_helo_name=a b, c} -o syslog_name=x\n"
                        + "127.0.0.9:25 inet n      -       n       -       -       smtpd\n");
        assertEquals(2, s.size());
        assertEquals(Map.of("smtp_bind_address", "127.0.0.9", "smtp_helo_name", "a b, c", "syslog_name", "x"),
                s.get(0).overrides());
        assertEquals("127.0.0.9:25", s.get(1).name());
        assertEquals("inet", s.get(1).type());
    }
}
