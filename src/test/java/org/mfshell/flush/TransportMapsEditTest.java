package org.mfshell.flush;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.mfshell.core.MfshellException;

class TransportMapsEditTest {
    private static final String MAP = "/etc/postfix-msn-a/transport.relay";
    private static final String BASE = "myhostname = msn-a.example\n# transport_maps: see the wiki\nrelayhost =\n";

    @Test
    void uncommentsTheWikiLineAndCommentsItBack() {
        String before = BASE + "#transport_maps = hash:" + MAP + "\n";
        TransportMapsEdit.Result on = TransportMapsEdit.enable(before, MAP);
        assertEquals(TransportMapsEdit.Mode.UNCOMMENTED, on.mode());
        assertEquals(BASE + "transport_maps = hash:" + MAP + "\n", on.text());
        assertEquals("hash:" + MAP, TransportMapsEdit.activeValue(on.text()));
        assertEquals(before, TransportMapsEdit.disable(on.text(), MAP, on.mode()));
        assertEquals(before, TransportMapsEdit.disable(on.text(), MAP, null));
    }

    @Test
    void putsTheMapInFrontOfAnActiveValueAndRemovesOnlyItsEntry() {
        // First in the list: trivial-rewrite searches the maps in order, the first hit wins.
        String before = BASE + "transport_maps = hash:/etc/postfix/transport  \n";
        TransportMapsEdit.Result on = TransportMapsEdit.enable(before, MAP);
        assertEquals(TransportMapsEdit.Mode.PREPENDED, on.mode());
        assertEquals(BASE + "transport_maps = hash:" + MAP + ", hash:/etc/postfix/transport  \n", on.text());
        assertEquals(before, TransportMapsEdit.disable(on.text(), MAP, on.mode()));
    }

    @Test
    void putsTheMapInFrontOfAContinuedValue() {
        String before = "transport_maps =\n    hash:/etc/postfix/transport\n    regexp:/etc/postfix/t.re\nx = 1\n";
        TransportMapsEdit.Result on = TransportMapsEdit.enable(before, MAP);
        assertEquals("transport_maps =\n    hash:" + MAP + ", hash:/etc/postfix/transport\n    regexp:/etc/postfix/t.re"
                + "\nx = 1\n", on.text());
        assertEquals(before, TransportMapsEdit.disable(on.text(), MAP, on.mode()));
    }

    @Test
    void addsALineWhenThereIsNone() {
        String before = "myhostname = x\n#transport_maps = hash:/etc/postfix/transport.relay\n";
        TransportMapsEdit.Result on = TransportMapsEdit.enable(before, MAP);
        assertEquals(TransportMapsEdit.Mode.ADDED_LINE, on.mode());
        assertEquals(before + "transport_maps = hash:" + MAP + "\n", on.text());
        assertEquals(before, TransportMapsEdit.disable(on.text(), MAP, on.mode()));
    }

    @Test
    void removesAHandMadeEntryAtTheFront() {
        String on = "transport_maps = hash:" + MAP + ", hash:/etc/postfix/transport\n";
        assertEquals("transport_maps = hash:/etc/postfix/transport\n", TransportMapsEdit.disable(on, MAP, null));
    }

    @Test
    void refusesTwiceAndNothingToUndo() {
        String on = "transport_maps = hash:" + MAP + "\n";
        assertThrows(MfshellException.class, () -> TransportMapsEdit.enable(on, MAP));
        assertThrows(MfshellException.class, () -> TransportMapsEdit.disable(BASE, MAP, null));
        assertThrows(MfshellException.class, () -> TransportMapsEdit.disable(
                "transport_maps = hash:" + MAP + ".old\n", MAP, null));
    }
}
