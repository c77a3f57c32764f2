package cpi.data;

import cpi.util.UserError;
import java.util.ArrayList;
import java.util.List;

/** A small RFC-4180 CSV reader: quoted fields may hold commas, doubled quotes and newlines. */
final class Csv {
    private Csv() {}

    /** One record and the 1-based line it starts on. */
    record Row(long line, List<String> fields) {}

    static List<Row> parse(String text, String file) {
        List<Row> rows = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int i = text.startsWith("\uFEFF") ? 1 : 0;
        long line = 1;
        long rowStart = 1;
        boolean quoted = false;
        boolean fieldWasQuoted = false;
        boolean any = false;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        cur.append('"');
                        i += 2;
                        continue;
                    }
                    quoted = false;
                    i++;
                    continue;
                }
                if (c == '\n') {
                    line++;
                }
                cur.append(c);
                i++;
                continue;
            }
            switch (c) {
                case '"' -> {
                    if (cur.length() > 0 || fieldWasQuoted) {
                        throw new UserError(file + ":" + line + ": malformed CSV: a quote inside an unquoted field "
                                + "(quote the whole field and double inner quotes)");
                    }
                    quoted = true;
                    fieldWasQuoted = true;
                    any = true;
                    i++;
                }
                case ',' -> {
                    fields.add(cur.toString());
                    cur.setLength(0);
                    fieldWasQuoted = false;
                    any = true;
                    i++;
                }
                case '\r', '\n' -> {
                    if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                        i++;
                    }
                    i++;
                    if (any || cur.length() > 0) {
                        fields.add(cur.toString());
                        rows.add(new Row(rowStart, List.copyOf(fields)));
                    }
                    fields.clear();
                    cur.setLength(0);
                    fieldWasQuoted = false;
                    any = false;
                    line++;
                    rowStart = line;
                }
                default -> {
                    if (fieldWasQuoted) {
                        throw new UserError(file + ":" + line + ": malformed CSV: text after a closing quote");
                    }
                    cur.append(c);
                    any = true;
                    i++;
                }
            }
        }
        if (quoted) {
            throw new UserError(file + ":" + rowStart + ": malformed CSV: a quoted field is never closed "
                    + "(file truncated?)");
        }
        if (any || cur.length() > 0) {
            fields.add(cur.toString());
            rows.add(new Row(rowStart, List.copyOf(fields)));
        }
        return rows;
    }
}
