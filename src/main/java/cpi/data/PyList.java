package cpi.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses a Python list literal of strings, e.g. {@code [' heavy.', " it's"]}, as MemoTrap stores its
 * {@code classes}. Returns null when the text is not such a literal (the caller reports where).
 */
final class PyList {
    private PyList() {}

    static List<String> parse(String s) {
        List<String> out = new ArrayList<>();
        int i = skip(s, 0);
        if (i >= s.length() || s.charAt(i) != '[') {
            return null;
        }
        i = skip(s, i + 1);
        if (i < s.length() && s.charAt(i) == ']') {
            return skip(s, i + 1) == s.length() ? out : null;
        }
        while (i < s.length()) {
            char q = s.charAt(i);
            if (q != '\'' && q != '"') {
                return null;
            }
            StringBuilder b = new StringBuilder();
            i++;
            boolean closed = false;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '\\' && i + 1 < s.length()) {
                    char e = s.charAt(i + 1);
                    b.append(switch (e) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        default -> e;
                    });
                    i += 2;
                } else if (c == q) {
                    closed = true;
                    i++;
                    break;
                } else {
                    b.append(c);
                    i++;
                }
            }
            if (!closed) {
                return null;
            }
            out.add(b.toString());
            i = skip(s, i);
            if (i >= s.length()) {
                return null;
            }
            if (s.charAt(i) == ',') {
                i = skip(s, i + 1);
                if (i < s.length() && s.charAt(i) == ']') {
                    return skip(s, i + 1) == s.length() ? out : null;
                }
            } else if (s.charAt(i) == ']') {
                return skip(s, i + 1) == s.length() ? out : null;
            } else {
                return null;
            }
        }
        return null;
    }

    private static int skip(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }
}
