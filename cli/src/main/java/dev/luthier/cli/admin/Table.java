package dev.luthier.cli.admin;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table: columns padded to their widest cell, numbers right-aligned. */
final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... header) {
        this.header = List.of(header);
    }

    void add(Object... cells) {
        List<String> row = new ArrayList<>();
        for (Object c : cells) {
            row.add(c == null ? "-" : c.toString());
        }
        rows.add(row);
    }

    void print(PrintStream out) {
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = header.get(i).length();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        line(out, header, width, false);
        for (List<String> r : rows) {
            line(out, r, width, true);
        }
    }

    private static void line(PrintStream out, List<String> cells, int[] width, boolean alignNumbers) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            boolean number = alignNumbers && c.matches("-?[0-9][0-9.,]*");
            String pad = " ".repeat(width[i] - c.length());
            sb.append(i == 0 ? "" : "  ").append(number ? pad + c : c + (i == cells.size() - 1 ? "" : pad));
        }
        out.println(sb.toString().stripTrailing());
    }
}
