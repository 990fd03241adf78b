package dev.steward.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProxyStatsTest {
    @Test
    void figuresFromManyThreadsAreSummedIntoOneCounterAndOneHistogramPerService() throws Exception {
        ProxyStats s = new ProxyStats();
        Thread a = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 1000; i++) s.record("web", 200, 300_000); // 0.3 ms
        });
        Thread b = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 500; i++) s.record("web", 503, 2_000_000_000L); // 2 s
            s.record("api", 404, 70_000_000_000L); // over the last bound
        });
        a.join();
        b.join();
        StringBuilder out = new StringBuilder();
        s.scrape(out);
        String m = out.toString();
        assertThat(m).contains("steward_gateway_requests_total{service=\"web\",status=\"2xx\"} 1000.0",
                "steward_gateway_requests_total{service=\"web\",status=\"5xx\"} 500.0",
                "steward_gateway_requests_total{service=\"api\",status=\"4xx\"} 1.0",
                "steward_gateway_latency_seconds_bucket{service=\"web\",le=\"0.0005\"} 1000",
                "steward_gateway_latency_seconds_bucket{service=\"web\",le=\"1.0\"} 1000",
                "steward_gateway_latency_seconds_bucket{service=\"web\",le=\"2.5\"} 1500",
                "steward_gateway_latency_seconds_count{service=\"web\"} 1500",
                "steward_gateway_latency_seconds_sum{service=\"web\"} 1000.3",
                "steward_gateway_latency_seconds_bucket{service=\"api\",le=\"60.0\"} 0",
                "steward_gateway_latency_seconds_bucket{service=\"api\",le=\"+Inf\"} 1");
        assertThat(m.indexOf("# TYPE steward_gateway_latency_seconds histogram")).isEqualTo(m.lastIndexOf("# TYPE steward_gateway_latency_seconds histogram"));
    }
}
