package org.mfshell.instance;

/** Something found under the config root that is not used as an instance, and why. */
public record DiscoveryWarning(String path, String reason) {
    @Override
    public String toString() {
        return path + ": " + reason;
    }
}
