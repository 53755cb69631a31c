package org.mfshell.shell;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import org.mfshell.AppContext;
import org.mfshell.cli.Cli;
import org.mfshell.cli.Io;
import org.mfshell.postfix.ProcessRunner;

/** Runs one mfshell command in-process through {@link Cli} with output captured (tests). */
final class InProcessCli {
    record Result(int exitCode, String out, String err) {
    }

    private InProcessCli() {
    }

    static Result run(Path configRoot, String... argv) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Io io = new Io(new PrintWriter(out), new PrintWriter(err), new BufferedReader(new StringReader("")), false, false);
        AppContext ctx = new AppContext(configRoot, configRoot.resolve("state"), configRoot.resolve("audit.log"),
                configRoot.resolve("lab"), new ProcessRunner());
        int code = new Cli(ctx, Commands.all()).run(argv, io);
        return new Result(code, out.toString(), err.toString());
    }
}
