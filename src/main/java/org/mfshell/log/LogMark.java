package org.mfshell.log;

/**
 * Where reading of one log source stopped, kept across runs by {@code metrics}' counters. For a
 * file: its path, its identity ({@code key}, the device and inode), the offset after the last
 * complete line read, and the SHA-256 of its first {@code headLength} bytes (at most 1 KiB),
 * which still names the file after a rename, a copy or a gzip. For the journal: the cursor of
 * the last entry read ({@code cursor}; the other fields unused). A plain value; no I/O.
 */
public record LogMark(String source, String key, long offset, int headLength, String head, String cursor) {
    public static LogMark journal(String source, String cursor) {
        return new LogMark(source, null, 0, 0, null, cursor);
    }
}
