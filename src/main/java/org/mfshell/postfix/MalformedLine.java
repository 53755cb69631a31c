package org.mfshell.postfix;

/** A line of postqueue output that is not a JSON object, with its 1-based number and why. */
public record MalformedLine(long line, String problem, String excerpt) {
    @Override
    public String toString() {
        return "line " + line + ": " + problem + (excerpt.isEmpty() ? "" : " (" + excerpt + ")");
    }
}
