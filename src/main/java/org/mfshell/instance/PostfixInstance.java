package org.mfshell.instance;

import java.nio.file.Path;
import java.util.List;

/**
 * One discovered Postfix instance as Postfix itself reports it.
 *
 * @param name          directory name without {@code postfix-} ({@code msn-a}); {@code postfix} for the default
 * @param bindAddress   smtp_bind_address of the {@code smtp unix} service override, else main.cf's; null if none
 * @param listen        addresses the instance's inet services listen on ({@code 127.0.0.4:25})
 * @param transportMaps the transport_maps value when active, else null
 * @param rerouteActive transport_maps names the instance's transport.relay
 */
public record PostfixInstance(String name, Path configDir, Path queueDir, String syslogName, String bindAddress,
                              List<String> listen, TransportMapsState transportMapsState, String transportMaps,
                              boolean rerouteActive, String maillogFile, boolean running, Long pid,
                              QueueCounts queues, List<String> mynetworks) {
}
