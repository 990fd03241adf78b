package dev.steward.model;

/** How the gateway reaches a service: a path prefix and/or a host name (either may be null). */
public record Route(String path, String host) {}
