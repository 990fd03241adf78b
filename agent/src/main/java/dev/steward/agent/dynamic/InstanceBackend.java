package dev.steward.agent.dynamic;

import dev.steward.agent.traffic.Backend;
import dev.steward.agent.traffic.Endpoint;
import dev.steward.model.Instances;
import dev.steward.model.IsolateSpec;
import dev.steward.model.Placement;
import dev.steward.model.PolicyKind;
import dev.steward.model.Resources;
import dev.steward.model.RestartPolicy;
import dev.steward.model.Route;
import dev.steward.model.ServiceState;
import dev.steward.model.Spec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An open instance as the gateway sees it: a backend named by its UUID, routed by the host {@code UUID.services.DOMAIN}
 * and the path {@code /x/UUID}, with one endpoint (the namespace's address and the entrypoint's port) while it is
 * routed. Reads only the published view.
 */
final class InstanceBackend implements Backend {
    private final OpenInstance instance;
    private final Spec spec;

    InstanceBackend(OpenInstance instance) {
        this.instance = instance;
        Route route = new Route("/x/" + instance.uuid, instance.shared.host(instance.uuid), true, null, null, null, 0, 0);
        this.spec = new Spec(instance.spec.kind(), instance.uuid, List.of(), null, Map.of(), IsolateSpec.PROCESS, null, Resources.NONE,
                PolicyKind.PERMANENT, Instances.fixed(1), Duration.ZERO, RestartPolicy.DEFAULT, null, null, route, List.of(),
                instance.spec.administrators(), Placement.ANY, instance.spec.parts());
    }

    /** Who opened it, for the gateway's check. */
    String owner() {
        return instance.owner;
    }

    @Override
    public String name() {
        return instance.uuid;
    }

    @Override
    public Spec spec() {
        return spec;
    }

    @Override
    public List<Endpoint> ready() {
        OpenInstance.View v = instance.view();
        return v.routed() ? List.of(new Endpoint(instance.uuid, v.address(), v.port())) : List.of();
    }

    @Override
    public ServiceState state() {
        return instance.view().routed() ? ServiceState.AVAILABLE : ServiceState.STARTING;
    }

    @Override
    public void use() {}

    @Override
    public void release() {}

    @Override
    public void wake() {}

    @Override
    public Optional<Endpoint> awaitReady(Duration wait) {
        return ready().stream().findFirst();
    }

    @Override
    public int live() {
        return 1;
    }

    @Override
    public int scaled() {
        return 0;
    }

    @Override
    public void scaleTo(int n) {}

    @Override
    public boolean guarded() {
        return true;
    }

    @Override
    public Refusal refuses(String authorization, String cookie) {
        return Opener.refuses(instance.shared.tokens(), instance.owner, instance.spec.administrators(), authorization, cookie);
    }
}
