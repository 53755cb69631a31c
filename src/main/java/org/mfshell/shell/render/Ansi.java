package org.mfshell.shell.render;

/** ANSI colours, applied only when the caller says colour is on (a terminal and no NO_COLOR). */
public final class Ansi {
    private Ansi() {
    }

    public static String red(boolean on, String s) {
        return on ? "\u001B[31m" + s + "\u001B[0m" : s;
    }

    public static String green(boolean on, String s) {
        return on ? "\u001B[32m" + s + "\u001B[0m" : s;
    }

    public static String yellow(boolean on, String s) {
        return on ? "\u001B[33m" + s + "\u001B[0m" : s;
    }

    public static String bold(boolean on, String s) {
        return on ? "\u001B[1m" + s + "\u001B[0m" : s;
    }
}
