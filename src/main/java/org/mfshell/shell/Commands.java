package org.mfshell.shell;

import java.util.ArrayList;
import java.util.List;
import org.mfshell.cli.MfCommand;

/**
 * The list of mfshell's commands: the single registry used by the one-shot path, the interactive
 * shell, help, and the generated completions and man page. Add new commands here.
 */
public final class Commands {
    private Commands() {
    }

    public static List<MfCommand> all() {
        List<MfCommand> list = new ArrayList<>();
        list.add(new InstancesCommand());
        list.add(new MailqCommand());
        list.add(new StatsCommand());
        list.add(new ShowCommand());
        list.addAll(QueueActionCommand.all());
        list.add(new FlushCommand());
        list.add(new ReroutesCommand());
        list.add(new VersionCommand());
        list.add(new LabCommand());
        list.add(new HealthCommand());
        list.add(new CheckCommand());
        list.add(new MetricsCommand());
        list.add(new WatchCommand());
        list.add(new WarmupCommand());
        list.add(new RelayMapCommand());
        list.add(new IpsCommand());
        list.add(new RelaysCommand());
        List<String> names = new ArrayList<>(list.stream().map(c -> c.spec().name()).toList());
        names.add("help");
        List<MfCommand> view = list;
        list.add(new HelpCommand(() -> view, names));
        list.add(new CompleteCommand());
        return list;
    }
}
