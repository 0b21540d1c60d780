package dev.luthier.cookbook.arithmetic;

/** The arithmetic a word problem asks for, with the symbol its worked answer uses. */
public enum Operation {
    ADD("+"),
    SUBTRACT("-"),
    MULTIPLY("*");

    private final String symbol;

    Operation(String symbol) {
        this.symbol = symbol;
    }

    public String symbol() {
        return symbol;
    }

    public int apply(int a, int b) {
        return switch (this) {
            case ADD -> a + b;
            case SUBTRACT -> a - b;
            case MULTIPLY -> a * b;
        };
    }
}
