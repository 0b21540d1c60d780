package dev.luthier.cookbook.problems;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A number an answer states, held exactly as a fraction so that {@code 0.5}, {@code 1/2} and {@code \frac{1}{2}}
 * compare equal and {@code 0.333} and {@code 1/3} do not.
 */
public record ExactNumber(BigInteger numerator, BigInteger denominator) {

    private static final Pattern DECIMAL = Pattern.compile("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)");
    private static final Pattern GROUPED = Pattern.compile("[-+]?\\d{1,3}(,\\d{3})+(\\.\\d*)?");
    private static final Pattern SLASH = Pattern.compile("([-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+))/((?:\\d+(?:\\.\\d*)?|\\.\\d+))");
    private static final Pattern FRAC = Pattern.compile("([-+]?)\\\\frac\\{([^{}]+)\\}\\{([^{}]+)\\}");

    public ExactNumber {
        if (denominator.signum() == 0) {
            throw new ArithmeticException("zero denominator");
        }
        if (denominator.signum() < 0) {
            numerator = numerator.negate();
            denominator = denominator.negate();
        }
        BigInteger g = numerator.gcd(denominator);
        if (!g.equals(BigInteger.ONE) && g.signum() != 0) {
            numerator = numerator.divide(g);
            denominator = denominator.divide(g);
        }
    }

    /**
     * Reads a plain number ({@code -12}, {@code 3.50}, {@code .5}, {@code 1,000}), a slash fraction ({@code 3/4})
     * or a LaTeX fraction of numbers ({@code \frac{3}{4}}, {@code -\frac{1}{2}}); anything else is empty, as is a
     * zero denominator. Whitespace is ignored.
     */
    public static Optional<ExactNumber> parse(String text) {
        String s = text.replaceAll("\\s+", "");
        if (s.isEmpty()) {
            return Optional.empty();
        }
        if (GROUPED.matcher(s).matches()) {
            s = s.replace(",", "");
        }
        if (DECIMAL.matcher(s).matches()) {
            return Optional.of(of(new BigDecimal(s.endsWith(".") ? s.substring(0, s.length() - 1) : s)));
        }
        Matcher m = SLASH.matcher(s);
        if (m.matches()) {
            return ratio(parse(m.group(1)), parse(m.group(2)), false);
        }
        m = FRAC.matcher(s);
        if (m.matches()) {
            return ratio(parse(m.group(2)), parse(m.group(3)), m.group(1).equals("-"));
        }
        return Optional.empty();
    }

    private static Optional<ExactNumber> ratio(Optional<ExactNumber> top, Optional<ExactNumber> bottom, boolean negate) {
        if (top.isEmpty() || bottom.isEmpty() || bottom.get().numerator.signum() == 0) {
            return Optional.empty();
        }
        ExactNumber a = top.get();
        ExactNumber b = bottom.get();
        BigInteger n = a.numerator.multiply(b.denominator);
        return Optional.of(new ExactNumber(negate ? n.negate() : n, a.denominator.multiply(b.numerator)));
    }

    public static ExactNumber of(BigDecimal value) {
        BigDecimal v = value.stripTrailingZeros();
        if (v.scale() <= 0) {
            return new ExactNumber(v.toBigIntegerExact(), BigInteger.ONE);
        }
        return new ExactNumber(v.unscaledValue(), BigInteger.TEN.pow(v.scale()));
    }

    /** {@code 7}, {@code -3/4}. */
    @Override
    public String toString() {
        return denominator.equals(BigInteger.ONE) ? numerator.toString() : numerator + "/" + denominator;
    }
}
