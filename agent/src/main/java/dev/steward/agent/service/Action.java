package dev.steward.agent.service;

/** One step of a plan: start a new instance, or stop one. */
sealed interface Action {
    record Start() implements Action {}

    record Stop(String instance, String reason) implements Action {}
}
