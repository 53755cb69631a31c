package org.mfshell.instance;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One discovered Postfix instance as Postfix itself reports it: every value is postconf's
 * expanded one ({@code postconf -x}, {@code postconf -M -x} for master.cf's {@code -o} overrides).
 * An instance whose configuration postconf cannot read has state {@link InstanceState#ERROR},
 * its {@link #error()} text, and no queue, addresses or maps.
 *
 * @param name          directory name without {@code postfix-} ({@code msn-a}); {@code postfix} for the default
 * @param configDir     the directory as discovered (what {@code postfix -c} is given)
 * @param bindAddress   smtp_bind_address of the {@code smtp unix} service override, else main.cf's; null if none
 * @param listen        addresses the instance's enabled inet services listen on ({@code 127.0.0.4:25}):
 *                      services that master_service_disable turns off are left out
 * @param transportMaps the expanded transport_maps value when active, else null
 * @param rerouteActive transport_maps names this instance's own transport.relay (after expansion and
 *                      symlink resolution, whatever the spelling)
 * @param running       state is {@link InstanceState#RUNNING}
 * @param realConfigDir the config directory with symlinks resolved: the instance's identity (two
 *                      names for one directory are one instance; locks and journals key on this)
 * @param state         running, stopped, disabled, never started, or error
 * @param error         why postconf could not read the instance (state ERROR), else null
 * @param transportMapList each table of transport_maps in Postfix's search order, paths resolved
 * @param mainCf        the expanded main.cf values discovery asked for (myhostname, inet_interfaces,
 *                      proxy_interfaces, smtp_helo_name, ...), by parameter name
 * @param aliases       other names (symlinked {@code postfix-*} dirs) that lead to this same directory
 */
public record PostfixInstance(String name, Path configDir, Path queueDir, String syslogName, String bindAddress,
                              List<String> listen, TransportMapsState transportMapsState, String transportMaps,
                              boolean rerouteActive, String maillogFile, boolean running, Long pid,
                              QueueCounts queues, List<String> mynetworks, Path realConfigDir, InstanceState state,
                              String error, List<MapRef> transportMapList, Map<String, String> mainCf,
                              List<String> aliases) {

    /** The former shape (tests build instances by hand): identity is the given dir, nothing else known. */
    public PostfixInstance(String name, Path configDir, Path queueDir, String syslogName, String bindAddress,
                           List<String> listen, TransportMapsState transportMapsState, String transportMaps,
                           boolean rerouteActive, String maillogFile, boolean running, Long pid,
                           QueueCounts queues, List<String> mynetworks) {
        this(name, configDir, queueDir, syslogName, bindAddress, listen, transportMapsState, transportMaps,
                rerouteActive, maillogFile, running, pid, queues, mynetworks, configDir,
                running ? InstanceState.RUNNING : InstanceState.STOPPED, null, MapRef.parseList(transportMaps),
                Map.of(), List.of());
    }

    /** An instance postconf could not read: only its name, directories and the reason are known. */
    static PostfixInstance broken(String name, Path configDir, Path realConfigDir, String error, List<String> aliases) {
        return new PostfixInstance(name, configDir, null, null, null, List.of(), TransportMapsState.ABSENT, null,
                false, null, false, null, QueueCounts.EMPTY, List.of(), realConfigDir, InstanceState.ERROR, error,
                List.of(), Map.of(), aliases);
    }

    /** Stable identity of the instance: its real config directory. */
    public String id() {
        return realConfigDir.toString();
    }

    /** An expanded main.cf value discovery read, or null. */
    public String param(String name) {
        return mainCf.get(name);
    }

    /** State for tables: "never started", "error: postconf failed: ...". */
    public String stateText() {
        return state == InstanceState.ERROR ? "error: " + error : state.label();
    }
}
