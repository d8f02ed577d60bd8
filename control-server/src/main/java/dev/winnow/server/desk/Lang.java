package dev.winnow.server.desk;

/** Which language a customer wrote in: "zh" when the text is mostly Chinese, else "en". */
public final class Lang {

    private Lang() {
    }

    public static boolean isChinese(final String s) {
        int han = 0;
        int latin = 0;
        for (int i = 0; i < s.length(); ) {
            final int cp = s.codePointAt(i);
            if (Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN) {
                han++;
            } else if (Character.isLetter(cp)) {
                latin++;
            }
            i += Character.charCount(cp);
        }
        return han > 0 && han * 3 >= latin;
    }

    public static String detect(final String s) {
        return s != null && isChinese(s) ? "zh" : "en";
    }
}
