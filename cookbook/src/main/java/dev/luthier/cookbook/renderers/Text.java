package dev.luthier.cookbook.renderers;

/** Python's {@code str.strip(chars)} family, which chat templates use on message text. */
final class Text {

    private Text() {
    }

    static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && chars.indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        return s.substring(i);
    }

    static String rstrip(String s, String chars) {
        int j = s.length();
        while (j > 0 && chars.indexOf(s.charAt(j - 1)) >= 0) {
            j--;
        }
        return s.substring(0, j);
    }

    static String strip(String s, String chars) {
        return lstrip(rstrip(s, chars), chars);
    }

    /** Python's {@code s.split(sep)[-1]}: what follows the last {@code sep}, or all of s. */
    static String afterLast(String s, String sep) {
        int i = s.lastIndexOf(sep);
        return i < 0 ? s : s.substring(i + sep.length());
    }

    /** Python's {@code s.split(sep)[0]}: what precedes the first {@code sep}, or all of s. */
    static String beforeFirst(String s, String sep) {
        int i = s.indexOf(sep);
        return i < 0 ? s : s.substring(0, i);
    }
}
