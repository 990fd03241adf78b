package dev.steward.agent.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bouncycastle.util.IPAddress;

/** The names a self-signed certificate gives, and host names and addresses in one spelling to compare them. */
final class HostNames {
    private HostNames() {}

    /** localhost, the loopback addresses, this machine's name and addresses (not link-local ones), then {@code hosts}. */
    static List<String> of(Collection<String> hosts) {
        Set<String> all = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        try {
            all.add(InetAddress.getLocalHost().getHostName());
        } catch (IOException e) {
            // no host name: the addresses still serve
        }
        try {
            NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
                    .filter(a -> !a.isLinkLocalAddress() && !a.isLoopbackAddress()).forEach(a -> all.add(normal(a.getHostAddress())));
        } catch (IOException e) {
            // no interfaces listed: loopback and the hosts asked for still serve
        }
        hosts.forEach(h -> all.add(normal(h)));
        return List.copyOf(all);
    }

    /** An IP address in one spelling (IPv6 compressed or not, with or without brackets); a name in lower case. */
    static String normal(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!IPAddress.isValid(h)) return h.toLowerCase(Locale.ROOT);
        try {
            return InetAddress.getByName(h).getHostAddress();
        } catch (IOException e) {
            return h;
        }
    }
}
