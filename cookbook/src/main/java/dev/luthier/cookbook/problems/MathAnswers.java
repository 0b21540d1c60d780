package dev.luthier.cookbook.problems;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Compares MATH-style answers written in simple LaTeX. Both sides are normalised (dollar signs, {@code \text{}},
 * {@code \left}/{@code \right}, spacing commands, {@code \dfrac}, degree and percent signs, a leading {@code x=},
 * spaces, a trailing period, shorthand such as {@code \frac12} and {@code \sqrt2}) and then compared as text, as
 * exact numbers ({@code \frac{1}{2}} = {@code 1/2} = {@code 0.5}), or element by element for tuples and lists.
 * It does no algebra: {@code 2\sqrt{2}} and {@code \sqrt{8}} differ.
 */
public final class MathAnswers {
    private static final String[] DROPPED = {"\\left", "\\right", "\\displaystyle", "\\!", "\\,", "\\;", "\\:",
            "\\quad", "\\qquad", "^{\\circ}", "^\\circ", "\\circ", "\\%", "%", "\\$", "$"};
    private static final String[] UNWRAPPED = {"\\text", "\\textbf", "\\textit", "\\mathrm", "\\mathbf", "\\mbox"};

    private MathAnswers() {
    }

    /** True when the two answers are the same after normalisation, as numbers, or element by element. */
    public static boolean equivalent(String answer, String reference) {
        String a = normalize(answer);
        String b = normalize(reference);
        if (a.equals(b)) {
            return true;
        }
        Optional<ExactNumber> x = ExactNumber.parse(a);
        Optional<ExactNumber> y = ExactNumber.parse(b);
        if (x.isPresent() && y.isPresent()) {
            return x.get().equals(y.get());
        }
        return elementsEquivalent(a, b);
    }

    /** The normal form used for comparing (see the class comment). */
    public static String normalize(String answer) {
        String s = answer.trim();
        s = unwrapText(s);
        for (String d : DROPPED) {
            s = s.replace(d, "");
        }
        s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac");
        s = s.replaceAll("\\\\ ", "");
        s = s.replaceAll("\\s+", "");
        s = bracketShorthand(s, "\\frac", 2);
        s = bracketShorthand(s, "\\sqrt", 1);
        while (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        s = dropVariableAssignment(s);
        if (s.startsWith("{") && s.endsWith("}") && closingBrace(s, 0) == s.length() - 1) {
            s = s.substring(1, s.length() - 1);
        }
        return s;
    }

    /**
     * {@code \text{X}} and similar become X; a {@code \text{ cm}} that starts with a space after other content is
     * a unit and is dropped.
     */
    private static String unwrapText(String s) {
        for (String cmd : UNWRAPPED) {
            int at;
            while ((at = s.indexOf(cmd + "{")) >= 0) {
                int open = at + cmd.length();
                int close = closingBrace(s, open);
                if (close < 0) {
                    break;
                }
                String inner = s.substring(open + 1, close);
                boolean unit = inner.startsWith(" ") && !s.substring(0, at).isBlank();
                s = s.substring(0, at) + (unit ? "" : inner) + s.substring(close + 1);
            }
        }
        return s;
    }

    /** {@code \frac12} → {@code \frac{1}{2}}, {@code \sqrt2} → {@code \sqrt{2}}: single-character arguments get braces. */
    private static String bracketShorthand(String s, String cmd, int args) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            int at = s.indexOf(cmd, i);
            if (at < 0) {
                out.append(s, i, s.length());
                break;
            }
            int j = at + cmd.length();
            if (j < s.length() && Character.isLetter(s.charAt(j))) { // another command, e.g. \fracx is not ours
                out.append(s, i, j);
                i = j;
                continue;
            }
            out.append(s, i, j);
            if (j < s.length() && s.charAt(j) == '[' && s.indexOf(']', j) > 0) { // \sqrt[3]{x}: the index stays as it is
                int close = s.indexOf(']', j);
                out.append(s, j, close + 1);
                j = close + 1;
            }
            for (int k = 0; k < args && j < s.length(); k++) {
                char c = s.charAt(j);
                if (c == '{') {
                    int close = closingBrace(s, j);
                    if (close < 0) {
                        break;
                    }
                    out.append(s, j, close + 1);
                    j = close + 1;
                } else if (c == '\\') {
                    break;
                } else {
                    out.append('{').append(c).append('}');
                    j++;
                }
            }
            i = j;
        }
        return out.toString();
    }

    /** {@code x=5} → {@code 5} when the left side is one letter (or a one-letter command like {@code \theta}). */
    private static String dropVariableAssignment(String s) {
        int eq = s.indexOf('=');
        if (eq < 0 || s.indexOf('=', eq + 1) >= 0) {
            return s;
        }
        String left = s.substring(0, eq);
        if (left.matches("[A-Za-z]|\\\\[A-Za-z]+")) {
            return s.substring(eq + 1);
        }
        return s;
    }

    static int closingBrace(String s, int open) {
        int depth = 0;
        for (int j = open; j < s.length(); j++) {
            char c = s.charAt(j);
            if (c == '\\' && j + 1 < s.length()) {
                j++;
                continue;
            }
            if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return j;
            }
        }
        return -1;
    }

    /** Tuples and lists with the same brackets compare element by element. */
    private static boolean elementsEquivalent(String a, String b) {
        String brackets = "([{";
        char first = a.isEmpty() ? ' ' : a.charAt(0);
        boolean bracketed = brackets.indexOf(first) >= 0 && !b.isEmpty() && b.charAt(0) == first
                && a.charAt(a.length() - 1) == b.charAt(b.length() - 1);
        String x = bracketed ? a.substring(1, a.length() - 1) : a;
        String y = bracketed ? b.substring(1, b.length() - 1) : b;
        List<String> xs = topLevelSplit(x);
        List<String> ys = topLevelSplit(y);
        if (xs.size() < 2 || xs.size() != ys.size()) {
            return false;
        }
        for (int i = 0; i < xs.size(); i++) {
            if (!equivalent(xs.get(i), ys.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static List<String> topLevelSplit(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }
}
