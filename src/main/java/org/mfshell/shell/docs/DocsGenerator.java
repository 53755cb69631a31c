package org.mfshell.shell.docs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.mfshell.cli.CommandSpec;
import org.mfshell.cli.MfCommand;
import org.mfshell.shell.Commands;

/**
 * Build-time generator (run by Maven at prepare-package): writes the bash and zsh completion
 * scripts and the mfshell(1) man page from {@link Commands#all()}, so they cannot drift from the
 * commands. Usage: {@code DocsGenerator OUTDIR VERSION [FILE-TO-GZIP...]} writes
 * OUTDIR/mfshell.bash, OUTDIR/_mfshell, OUTDIR/mfshell.1 and OUTDIR/mfshell.1.gz, and a
 * reproducible maximum-compression FILE.gz into OUTDIR for each extra FILE (the Debian changelog).
 * Fails (an exception, so the build fails) when a workflow example in the man page no longer parses.
 */
public final class DocsGenerator {
    private DocsGenerator() {
    }

    public static List<CommandSpec> specs() {
        return Commands.all().stream().map(MfCommand::spec).toList();
    }

    public static String bash() {
        return BashCompletion.render(specs());
    }

    public static String zsh() {
        return ZshCompletion.render(specs());
    }

    public static String manPage(String version) {
        return ManPage.render(specs(), version);
    }

    public static List<String> manPageProblems() {
        return ManPage.workflowProblems(specs());
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: DocsGenerator OUTDIR VERSION [FILE-TO-GZIP...]");
        }
        List<String> problems = manPageProblems();
        if (!problems.isEmpty()) {
            throw new IllegalStateException("man page examples the command specs reject: " + problems);
        }
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        Files.writeString(out.resolve("mfshell.bash"), bash(), StandardCharsets.UTF_8);
        Files.writeString(out.resolve("_mfshell"), zsh(), StandardCharsets.UTF_8);
        String man = manPage(args[1]);
        Files.writeString(out.resolve("mfshell.1"), man, StandardCharsets.UTF_8);
        Files.write(out.resolve("mfshell.1.gz"), gzip(man.getBytes(StandardCharsets.UTF_8)));
        for (int i = 2; i < args.length; i++) {
            Path f = Path.of(args[i]);
            Files.write(out.resolve(f.getFileName() + ".gz"), gzip(Files.readAllBytes(f)));
        }
    }

    /**
     * gzip -9n: no name, no time stamp, the "maximum compression" flag set (as Debian's tools and
     * lintian expect), so the package is reproducible.
     */
    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        bos.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 2, 3});
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        d.setInput(data);
        d.finish();
        byte[] buf = new byte[8192];
        while (!d.finished()) {
            int n = d.deflate(buf);
            bos.write(buf, 0, n);
        }
        d.end();
        CRC32 crc = new CRC32();
        crc.update(data);
        writeLe(bos, crc.getValue());
        writeLe(bos, data.length & 0xffffffffL);
        return bos.toByteArray();
    }

    private static void writeLe(ByteArrayOutputStream bos, long v) {
        for (int i = 0; i < 4; i++) {
            bos.write((int) (v >>> (8 * i)) & 0xff);
        }
    }
}
