package org.mfshell.instance;

/** Whether main.cf sets transport_maps: active, present only as a commented-out line, or absent. */
public enum TransportMapsState {
    ACTIVE, COMMENTED, ABSENT
}
