package dev.steward.model;

import java.util.List;
import java.util.stream.Collectors;

/** A spec was refused; {@link #problems()} lists every problem found, each naming its field. */
public final class InvalidSpecException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final List<Problem> problems;

    public InvalidSpecException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public InvalidSpecException(String field, String message) {
        this(List.of(new Problem(field, message)));
    }

    public List<Problem> problems() {
        return problems;
    }
}
