package loganalytics;

import java.time.LocalDate;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;

/**
 * One access-log line in, its fields out, in one left-to-right scan: the Spark UDF behind
 * {@code analytics/parse.py}, whose module docstring states the rules it accepts a line
 * by. Each field ends at the first character that cannot continue it, so the scan never
 * goes back.
 *
 * <p>The result is {@link #SCHEMA}. A valid line has every field it has set, its
 * {@code epoch_second} above all (the true instant; {@code epoch_day} and {@code hour} are
 * the local wall clock). A rejected line has every field null; {@code matched} tells
 * whether it has the shape of a log entry (then its timestamp names no real instant).
 * Why a line is rejected is worked out in Spark, for rejected lines only.
 */
public final class AccessLineParser implements UDF1<String, Row> {
    private static final long serialVersionUID = 1L;

    /** The result type, as Spark DDL. */
    public static final String SCHEMA = "matched boolean, host string, ident string, user string, "
            + "epoch_second bigint, epoch_day int, hour int, method string, endpoint string, protocol string, "
            + "status int, "
            + "content_size bigint, referrer string, user_agent string";

    /**
     * {@link #SCHEMA}, for SQL's {@code reflect()}: how a Spark Connect client, which has no
     * JVM of its own to read the field with, learns the result type.
     */
    public static String schema() {
        return SCHEMA;
    }

    private static final Row NO_MATCH = RowFactory.create(false, null, null, null, null, null,
            null, null, null, null, null, null, null, null);
    private static final Row BAD_TIMESTAMP = RowFactory.create(true, null, null, null, null, null,
            null, null, null, null, null, null, null, null);
    private static final String[] MONTHS =
            {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
    static final int TIMESTAMP_LENGTH = "dd/Mon/yyyy:HH:MM:SS +zzzz".length();

    @Override
    public Row call(String raw) {
        if (raw == null) {
            return NO_MATCH;
        }
        String s = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
        int n = s.length();
        if (n == 0 || s.charAt(0) == '"') {
            return NO_MATCH;
        }
        int hostEnd = fieldEnd(s, 0);
        int identEnd = hostEnd > 0 && at(s, hostEnd, ' ') ? fieldEnd(s, hostEnd + 1) : -1;
        int userEnd = identEnd > hostEnd + 1 && at(s, identEnd, ' ') ? fieldEnd(s, identEnd + 1) : -1;
        if (userEnd <= identEnd + 1 || !at(s, userEnd, ' ') || !at(s, userEnd + 1, '[')) {
            return NO_MATCH;
        }
        int ts = userEnd + 2;
        int tsEnd = ts + TIMESTAMP_LENGTH;
        if (!timestampShape(s, ts) || !at(s, tsEnd, ']') || !at(s, tsEnd + 1, ' ')
                || !at(s, tsEnd + 2, '"')) {
            return NO_MATCH;
        }
        int requestEnd = quotedEnd(s, tsEnd + 3);
        if (requestEnd < 0 || !at(s, requestEnd + 1, ' ') || digits(s, requestEnd + 2, 3) != 3
                || !at(s, requestEnd + 5, ' ')) {
            return NO_MATCH;
        }
        int size = requestEnd + 6;
        int sizeDigits = digits(s, size, 16);
        int sizeEnd = sizeDigits > 0 ? size + sizeDigits : at(s, size, '-') ? size + 1 : -1;
        if (sizeEnd < 0 || sizeDigits > 15) {
            return NO_MATCH;
        }
        String referrer = null;
        String userAgent = null;
        if (s.startsWith(" \"", sizeEnd)) {  // Combined: "referrer" "user agent", then anything
            int referrerEnd = quotedEnd(s, sizeEnd + 2);
            int agentEnd = referrerEnd >= 0 && s.startsWith(" \"", referrerEnd + 1)
                    ? quotedEnd(s, referrerEnd + 3) : -1;
            if (agentEnd < 0 || (agentEnd + 1 < n && !isSpace(s.charAt(agentEnd + 1)))) {
                return NO_MATCH;
            }
            referrer = s.substring(sizeEnd + 2, referrerEnd);
            userAgent = s.substring(referrerEnd + 3, agentEnd);
        } else {
            for (int i = sizeEnd; i < n; i++) {
                if (!isSpace(s.charAt(i))) {
                    return NO_MATCH;
                }
            }
        }
        long[] instant = instant(s, ts);
        if (instant == null) {
            return BAD_TIMESTAMP;
        }
        String[] request = request(s.substring(tsEnd + 3, requestEnd));
        return RowFactory.create(true, s.substring(0, hostEnd), s.substring(hostEnd + 1, identEnd),
                s.substring(identEnd + 1, userEnd),
                instant[0], (int) instant[1], number(s, ts + 12, 2),
                request[0], request[1], request[2], number(s, requestEnd + 2, 3),
                sizeDigits > 0 ? Long.parseLong(s, size, sizeEnd, 10) : null, referrer, userAgent);
    }

    /**
     * {method, endpoint, protocol} of a request: its words split on single spaces; the
     * method is the first word when it is a token ({@link #method}), the protocol the last
     * when there are three words or more and it starts with {@code HTTP/}, the endpoint what
     * lies between. Empty parts and the request {@code -} are null.
     */
    static String[] request(String req) {
        String[] parts = new String[3];
        if (req.isEmpty() || req.equals("-")) {
            return parts;
        }
        int firstSpace = req.indexOf(' ');
        if (firstSpace < 0) {
            parts[0] = method(req);
            return parts;
        }
        parts[0] = method(req.substring(0, firstSpace));
        int secondSpace = req.indexOf(' ', firstSpace + 1);
        int lastSpace = req.lastIndexOf(' ');
        boolean protocol = secondSpace >= 0 && req.startsWith("HTTP/", lastSpace + 1);
        parts[1] = nullIfEmpty(req.substring(firstSpace + 1, protocol ? lastSpace : req.length()));
        parts[2] = protocol ? req.substring(lastSpace + 1) : null;
        return parts;
    }

    /**
     * A request's first word as its method when it is an HTTP token (RFC 9110: letters,
     * digits and {@code !#$%&'*+-.^_`|~}), else null: the bytes of a TLS handshake sent to
     * a plain-HTTP port ({@code \x16\x03\x01}) are no method.
     */
    private static String method(String word) {
        if (word.isEmpty()) {
            return null;
        }
        for (int k = 0; k < word.length(); k++) {
            char c = word.charAt(k);
            if (!(isDigit(c) || isLetter(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0)) {
                return null;
            }
        }
        return word;
    }

    private static String nullIfEmpty(String s) {
        return s.isEmpty() ? null : s;
    }

    /** Java regex's {@code \s}. */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    private static boolean at(String s, int i, char c) {
        return i < s.length() && s.charAt(i) == c;
    }

    /** Where a run of field characters (not {@code \s}) from {@code i} ends. */
    private static int fieldEnd(String s, int i) {
        int n = s.length();
        while (i < n && !isSpace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /**
     * The index of the quote closing a quoted field whose text starts at {@code i}, or -1.
     * A backslash escapes any character.
     */
    static int quotedEnd(String s, int i) {
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '"') {
                return i;
            }
            if (c == '\\' && i + 1 >= n) {
                return -1;
            }
            i += c == '\\' ? 2 : 1;
        }
        return -1;
    }

    /** How many ASCII digits, up to {@code max}, follow from {@code i}. */
    static int digits(String s, int i, int max) {
        int k = 0;
        while (k < max && i + k < s.length() && isDigit(s.charAt(i + k))) {
            k++;
        }
        return k;
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** {@code dd/Mon/yyyy:HH:MM:SS +zzzz} (year 1000-9999) from {@code i}. */
    static boolean timestampShape(String s, int i) {
        if (i + TIMESTAMP_LENGTH > s.length()) {
            return false;
        }
        String shape = "99/aaa/9999:99:99:99 +9999";
        for (int k = 0; k < TIMESTAMP_LENGTH; k++) {
            char c = s.charAt(i + k);
            char want = shape.charAt(k);
            boolean ok = want == '9' ? isDigit(c) : want == 'a' ? isLetter(c)
                    : want == '+' ? c == '+' || c == '-' : c == want;
            if (!ok) {
                return false;
            }
        }
        return s.charAt(i + 7) != '0';
    }

    static int number(String s, int i, int length) {
        int value = 0;
        for (int k = 0; k < length; k++) {
            value = value * 10 + (s.charAt(i + k) - '0');
        }
        return value;
    }

    /**
     * {epoch second of the true instant, epoch day of the local date} of the timestamp at
     * {@code i} (already of the right shape), or null when it names no real instant.
     */
    static long[] instant(String s, int i) {
        int day = number(s, i, 2);
        int month = month(s, i + 3);
        int year = number(s, i + 7, 4);
        int hour = number(s, i + 12, 2);
        int minute = number(s, i + 15, 2);
        int second = number(s, i + 18, 2);
        int offsetMinutes = number(s, i + 22, 2) * 60 + number(s, i + 24, 2);
        if (month == 0 || day < 1 || day > LocalDate.of(year, month, 1).lengthOfMonth()
                || hour > 23 || minute > 59 || second > 59 || number(s, i + 24, 2) > 59
                || offsetMinutes > 18 * 60) {
            return null;
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        int sign = s.charAt(i + 21) == '-' ? -1 : 1;
        long local = epochDay * 86400 + hour * 3600 + minute * 60 + second;
        return new long[] {local - sign * offsetMinutes * 60L, epochDay};
    }

    /** 1-12 for a month's three-letter name in any case, else 0. */
    static int month(String s, int i) {
        for (int m = 0; m < MONTHS.length; m++) {
            if (s.regionMatches(true, i, MONTHS[m], 0, 3)) {
                return m + 1;
            }
        }
        return 0;
    }
}
