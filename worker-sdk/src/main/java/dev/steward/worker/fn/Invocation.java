package dev.steward.worker.fn;

/**
 * One function running in this worker: its name, how deep it is in its workflow, the workflow's
 * directory, its own scratch directory, and the token its other-worker calls are made with.
 */
record Invocation(String name, int depth, String workflow, String scratch, String token) {
    /** From the agent's event: {@code NAME TAB WORKFLOW-DIR TAB SCRATCH-DIR TAB DEPTH TAB TOKEN}, {@code NAME} being {@code main}. */
    static Invocation of(String event, String main) {
        String[] f = event.split("\t", -1);
        if (f.length != 5 || !f[0].equals(main)) throw new IllegalArgumentException("this worker serves function " + main + ", not the event '" + event + "'");
        return new Invocation(main, Integer.parseInt(f[3]), f[1], f[2], f[4]);
    }
}
