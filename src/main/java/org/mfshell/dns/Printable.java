package org.mfshell.dns;

/** Operator text made safe for one error line: control characters as {@code \xNN}, long text cut. */
final class Printable {
    private Printable() {
    }

    static String of(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 200; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.length() >= 200 ? sb + "..." : sb.toString();
    }
}
