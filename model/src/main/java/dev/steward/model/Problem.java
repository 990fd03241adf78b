package dev.steward.model;

import java.util.Objects;

/** One thing wrong with an input, naming the field it is in ({@code ""} for the whole input). */
public record Problem(String field, String message) {
    public Problem {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return field.isEmpty() ? message : field + ": " + message;
    }
}
