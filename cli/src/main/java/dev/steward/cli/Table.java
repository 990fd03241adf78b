package dev.steward.cli;

import java.util.ArrayList;
import java.util.List;

/** A plain text table with columns as wide as their widest cell. */
final class Table {
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
        rows.add(header);
    }

    Table row(Object... cells) {
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) r[i] = cells[i] == null ? "-" : String.valueOf(cells[i]);
        rows.add(r);
        return this;
    }

    String render() {
        int cols = rows.get(0).length;
        int[] w = new int[cols];
        for (String[] r : rows) for (int i = 0; i < cols; i++) w[i] = Math.max(w[i], r[i].length());
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                sb.append(r[i]);
                if (i < cols - 1) sb.append(" ".repeat(w[i] - r[i].length() + 2));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
