package dev.steward.agent.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.agent.Json;
import dev.steward.agent.rpc.Located;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ListingsTest {
    static final Map<Integer, String> APP = Map.of(0, "enqueue", 1, "info");
    static final Map<Integer, String> NODE = Map.of(0, "start_app", 1, "pause_app", 2, "list");

    static String at(String host, int port, Map<Integer, String> methods) {
        return Json.write(new Located(host, port, 1, methods));
    }

    final Listings listings = Listings.of(Map.of(
            "local/b/locator/echo", at("10.0.0.2", 4001, APP),
            "local/c/locator/echo", at("10.0.0.3", 5001, APP),
            "local/b/locator/node", at("10.0.0.2", 4002, NODE),
            "local/c/locator/node", at("10.0.0.3", 5002, NODE),
            "local/c/locator/logging", at("10.0.0.3", 5003, Map.of(0, "emit")),
            "local/a/locator/mine", at("10.0.0.1", 3001, APP),
            "local/d/locator/gone", at("10.0.0.4", 6001, APP),
            "local/b/instances/web/1", "{}",
            "local/b/locator/broken", "not json"), Set.of("a", "b", "c"), "a");

    @Test
    void aNameResolvesToTheNearestOtherLiveNodeThatServesIt() {
        Map<String, Long> rtt = Map.of("b", 900_000L, "c", 300_000L);
        assertThat(listings.find("echo", rtt::get)).isEqualTo(new Located("10.0.0.3", 5001, 1, APP));
        assertThat(listings.find("echo", n -> -1)).as("none measured yet: by name").isEqualTo(new Located("10.0.0.2", 4001, 1, APP));
        assertThat(listings.find("echo", n -> n.equals("b") ? 5 : -1)).as("a measured node before one not measured")
                .isEqualTo(new Located("10.0.0.2", 4001, 1, APP));
        assertThat(listings.find("mine", n -> -1)).as("this node's own are its locator's").isNull();
        assertThat(listings.find("gone", n -> -1)).as("a node without its lease").isNull();
        assertThat(listings.find("broken", n -> -1)).as("a record that does not read").isNull();
    }

    @Test
    void eachNodesOwnServicesAreReachedByNameAtNodeOnly() {
        assertThat(listings.find("node", n -> -1)).as("node alone is the asked node's own").isNull();
        assertThat(listings.find("logging", n -> -1)).isNull();
        assertThat(listings.find("node@b", n -> -1)).isEqualTo(new Located("10.0.0.2", 4002, 1, NODE));
        assertThat(listings.find("node@c", n -> -1)).isEqualTo(new Located("10.0.0.3", 5002, 1, NODE));
        assertThat(listings.find("echo@b", n -> 0)).isEqualTo(new Located("10.0.0.2", 4001, 1, APP));
        assertThat(listings.find("node@d", n -> -1)).isNull();
        assertThat(listings.all(n -> -1)).containsOnlyKeys("echo", "node@b", "node@c");
    }

    @Test
    void protocolServicesAreReachedWhereTheyAreBoundOrAtTheAdvertisedAddressForAWildcard() {
        assertThat(Locations.reachableAt("0.0.0.0", "10.0.0.1")).isEqualTo("10.0.0.1");
        assertThat(Locations.reachableAt("10.0.0.1", "10.0.0.1")).isEqualTo("10.0.0.1");
        assertThat(Locations.reachableAt("127.0.0.3", "127.0.0.3")).as("nodes that share a machine").isEqualTo("127.0.0.3");
        assertThat(Locations.reachableAt("127.0.0.1", "10.0.0.1")).as("loopback is not reached from other machines").isNull();
    }
}
