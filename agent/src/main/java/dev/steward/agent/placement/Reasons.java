package dev.steward.agent.placement;

import dev.steward.model.Resources;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Why one more instance of a service fits on no node, naming what is missing and what each node has. */
final class Reasons {
    private Reasons() {}

    static String pending(Ask a, List<Candidate> nodes, Map<String, Load> loads, Neighbours neighbours) {
        if (nodes.isEmpty()) return "no node is in the cluster";
        List<Candidate> labelled = nodes.stream().filter(n -> a.where().admits(n.labels())).toList();
        if (labelled.isEmpty()) {
            return "no node has " + (a.where().nodeLabels().size() == 1 ? "label " : "labels ") + labels(a.where().nodeLabels()) + ": "
                    + each(nodes, n -> labels(n.labels()));
        }
        String apart = neighbours.pending(labelled);
        if (apart != null) return apart;
        List<Candidate> near = labelled.stream().filter(n -> neighbours.admits(n.name())).toList();
        List<Candidate> open = near.stream().filter(n -> !n.drained()).toList();
        if (open.isEmpty()) return "every node that may run it is drained: " + near.stream().map(Candidate::name).collect(Collectors.joining(", "));
        Resources e = a.each();
        if (e.memoryBytes() > 0 && open.stream().noneMatch(n -> loads.get(n.name()).freeMemory() >= e.memoryBytes())) {
            return "no node has " + bytes(e.memoryBytes()) + " of memory free: " + each(open, n -> bytes(loads.get(n.name()).freeMemory()));
        }
        if (e.cpu() > 0 && open.stream().noneMatch(n -> loads.get(n.name()).freeCpu() + 1e-9 >= e.cpu())) {
            return "no node has " + cpus(e.cpu()) + " free: " + each(open, n -> cpus(loads.get(n.name()).freeCpu()));
        }
        if (e.pids() > 0 && open.stream().noneMatch(n -> loads.get(n.name()).freePids() >= e.pids())) {
            return "no node has " + e.pids() + " pids free: " + each(open, n -> Long.toString(loads.get(n.name()).freePids()));
        }
        return "no node has " + wants(e) + " free at once: " + open.stream().map(n -> {
            Load l = loads.get(n.name());
            return n.name() + " " + bytes(l.freeMemory()) + ", " + cpus(l.freeCpu()) + ", " + l.freePids() + " pids";
        }).collect(Collectors.joining("; "));
    }

    private static String each(List<Candidate> nodes, Function<Candidate, String> what) {
        return nodes.stream().map(n -> n.name() + " " + what.apply(n)).collect(Collectors.joining(", "));
    }

    private static String labels(Map<String, String> labels) {
        if (labels.isEmpty()) return "no labels";
        return new java.util.TreeMap<>(labels).entrySet().stream().map(x -> x.getKey() + "=" + x.getValue()).collect(Collectors.joining(","));
    }

    private static String wants(Resources e) {
        List<String> parts = new java.util.ArrayList<>();
        if (e.memoryBytes() > 0) parts.add(bytes(e.memoryBytes()) + " of memory");
        if (e.cpu() > 0) parts.add(cpus(e.cpu()));
        if (e.pids() > 0) parts.add(e.pids() + " pids");
        return String.join(" and ", parts);
    }

    /** GiB to one decimal, rounded down (what is free is never overstated), from half a GiB up; MiB below. */
    static String bytes(long b) {
        double gib = b / (double) (1L << 30);
        return gib >= 0.5 ? trim(Math.floor(gib * 10 + 1e-6) / 10) + " GiB" : (b >> 20) + " MiB";
    }

    static String cpus(double cpu) {
        double shown = Math.floor(cpu * 100 + 1e-9) / 100;
        return trim(shown) + (shown == 1 ? " CPU" : " CPUs");
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%s", d);
    }
}
