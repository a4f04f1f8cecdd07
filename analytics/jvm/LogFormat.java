package loganalytics;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * A log format compiled once into a list of tokens (literal text, or a field of a known
 * kind), and how one line is read by it in one left-to-right scan. Compiled from an Apache
 * {@code LogFormat} string ({@code apache:%h %l ...}) or an nginx {@code log_format} string
 * ({@code nginx:$remote_addr - ...}); {@link #of} caches the compiled form per spec.
 *
 * <p>A field ends where the literal after it starts (its first character), or at
 * whitespace: fields never hold a space unless quoted. A field between two double quotes
 * ends at the next quote not escaped by a backslash. The CLF timestamp has a fixed width.
 * After the format's last token the line may go on after whitespace: servers append
 * fields. The result is {@link FormatParser#SCHEMA}.
 */
final class LogFormat implements LineReader {
    // field kinds; LITERAL is a token of text that must be there as written
    static final int LITERAL = 0, SKIP = 1, HOST = 2, IDENT = 3, USER = 4, TIME_CLF_BRACKETED = 5,
            TIME_CLF = 6, TIME_ISO = 7, EPOCH_S = 8, EPOCH_MS = 9, EPOCH_US = 10, REQUEST = 11,
            METHOD = 12, URI = 13, QUERY = 14, PROTOCOL = 15, STATUS = 16, SIZE = 17, REFERRER = 18,
            USER_AGENT = 19, VHOST = 20, PORT = 21, SERVED_US = 22, SERVED_MS = 23, SERVED_S = 24,
            FORWARDED_FOR = 25, DATE = 26, TIME = 27, HOST_PORT = 28, REQUEST_ABSOLUTE = 29;

    // result columns (FormatParser.SCHEMA order)
    static final int R_REASON = 0, R_HOST = 1, R_IDENT = 2, R_USER = 3, R_EPOCH = 4, R_DAY = 5,
            R_HOUR = 6, R_METHOD = 7, R_ENDPOINT = 8, R_PROTOCOL = 9, R_STATUS = 10, R_SIZE = 11,
            R_REFERRER = 12, R_USER_AGENT = 13, R_VHOST = 14, R_PORT = 15, R_SERVED = 16,
            R_FORWARDED_FOR = 17, WIDTH = 18;

    private static final ConcurrentHashMap<String, LineReader> CACHE = new ConcurrentHashMap<>();

    /** whether a line starting with {@code #} is a header (W3C's {@code #Fields:}), not an entry */
    private final boolean headers;
    private final int[] kinds;
    private final String[] literals;
    private final boolean[] quoted;
    /** the character that ends each field: the first of the literal after it, or -1 */
    private final int[] stops;

    private LogFormat(List<Integer> kinds, List<String> literals, boolean headers) {
        this.headers = headers;
        int n = kinds.size();
        this.kinds = new int[n];
        this.literals = literals.toArray(new String[0]);
        this.quoted = new boolean[n];
        this.stops = new int[n];
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int k = 0; k < n; k++) {
            int kind = kinds.get(k);
            // a column two directives fill (%h and %a) takes the first
            this.kinds[k] = kind == LITERAL || kind == SKIP || seen.add(kind) ? kind : SKIP;
        }
        for (int k = 0; k < n; k++) {
            if (this.kinds[k] == LITERAL) {
                continue;
            }
            String before = k > 0 ? this.literals[k - 1] : null;
            String after = k + 1 < n ? this.literals[k + 1] : null;
            if (after == null && k + 1 < n) {
                throw new IllegalArgumentException("two fields with nothing between them: cannot tell where one ends");
            }
            this.stops[k] = after == null ? -1 : after.charAt(0);
            this.quoted[k] = before != null && before.endsWith("\"") && after != null && after.startsWith("\"");
        }
        boolean timed = false;
        for (int kind : this.kinds) {
            timed |= kind >= TIME_CLF_BRACKETED && kind <= EPOCH_US || kind == DATE;
        }
        if (!timed) {
            throw new IllegalArgumentException(
                    "the format has no time of the request (%t, $time_local, $time_iso8601, $msec)");
        }
    }

    /**
     * The compiled form of {@code spec} ({@code apache:...} or {@code nginx:...}; a leading
     * {@code #} makes lines that start with {@code #} headers; {@code json:caddy} and
     * {@code json:nginx} are the JSON formats of {@link JsonFormat}), cached.
     */
    static LineReader of(String spec) {
        LineReader format = CACHE.get(spec);
        if (format == null) {
            format = compile(spec);
            CACHE.putIfAbsent(spec, format);
        }
        return format;
    }

    private static LineReader compile(String spec) {
        if (spec.startsWith("json:")) {
            return new JsonFormat(spec.substring(5));
        }
        boolean headers = spec.startsWith("#");
        String s = headers ? spec.substring(1) : spec;
        if (s.startsWith("apache:")) {
            return apache(s.substring(7), headers);
        }
        if (s.startsWith("nginx:")) {
            return nginx(s.substring(6));
        }
        throw new IllegalArgumentException("a format spec starts with apache:, nginx: or json:");
    }

    // --- compiling ---------------------------------------------------------------------

    private static final class Builder {
        final List<Integer> kinds = new ArrayList<>();
        final List<String> literals = new ArrayList<>();
        final StringBuilder text = new StringBuilder();

        void literal(char c) {
            text.append(c);
        }

        void field(int kind) {
            flush();
            kinds.add(kind);
            literals.add(null);
        }

        void flush() {
            if (text.length() > 0) {
                kinds.add(LITERAL);
                literals.add(text.toString());
                text.setLength(0);
            }
        }

        LogFormat build(boolean headers) {
            flush();
            return new LogFormat(kinds, literals, headers);
        }
    }

    /**
     * An Apache {@code LogFormat} string as pasted from the configuration: {@code \"} is a
     * quote. Directives we do not use are fields we skip; a letter mod_log_config does not
     * define is an error naming it.
     */
    static LogFormat apache(String format, boolean headers) {
        Builder b = new Builder();
        int n = format.length();
        for (int i = 0; i < n; i++) {
            char c = format.charAt(i);
            if (c == '\\' && i + 1 < n) {
                char e = format.charAt(++i);
                b.literal(e == 't' ? '\t' : e == 'n' ? '\n' : e);
                continue;
            }
            if (c != '%') {
                b.literal(c);
                continue;
            }
            int start = i;
            i++;
            while (i < n && "<>!0123456789,".indexOf(format.charAt(i)) >= 0) {  // %>s, %!200,304{Referer}i
                i++;
            }
            String name = null;
            if (i < n && format.charAt(i) == '{') {
                int close = format.indexOf('}', i);
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed { in " + format.substring(start));
                }
                name = format.substring(i + 1, close);
                i = close + 1;
            }
            if (i >= n) {
                throw new IllegalArgumentException("the format ends inside the directive " + format.substring(start));
            }
            char letter = format.charAt(i);
            if (letter == '%') {
                b.literal('%');
                continue;
            }
            if (letter == '^') {  // %^ti, %^to: trailers
                i = Math.min(i + 2, n - 1);
                b.field(SKIP);
                continue;
            }
            String directive = format.substring(start, i + 1);
            b.field(apacheKind(letter, name == null ? null : name.toLowerCase(Locale.ROOT), directive));
        }
        return b.build(headers);
    }

    private static int apacheKind(char letter, String name, String directive) {
        switch (letter) {
            case 'h':  // %{hostport}h: a client written host:port (AWS load balancers)
                return name == null ? HOST : name.equals("hostport") ? HOST_PORT : unreadable(directive);
            case 'a':
                return name == null || name.equals("c") ? HOST : SKIP;
            case 'l':
                return IDENT;
            case 'u':
                return USER;
            case 't':
                return apacheTime(name, directive);
            case 'r':  // %{absolute}r: a request line whose URL names scheme, host and port (AWS)
                return name == null ? REQUEST : name.equals("absolute") ? REQUEST_ABSOLUTE : unreadable(directive);
            case 'm':
                return METHOD;
            case 'U':
                return URI;
            case 'q':
                return QUERY;
            case 'H':
                return PROTOCOL;
            case 's':
                return STATUS;
            case 'b': case 'B': case 'O':
                return SIZE;
            case 'i':
                return name == null ? SKIP : name.equals("referer") ? REFERRER : name.equals("user-agent") ? USER_AGENT
                        : name.equals("x-forwarded-for") ? FORWARDED_FOR : name.equals("host") ? VHOST : SKIP;
            case 'v': case 'V':
                return VHOST;
            case 'p':
                return name == null || name.equals("canonical") || name.equals("local") ? PORT : SKIP;
            case 'D':
                return SERVED_US;
            case 'T':
                return name == null || name.equals("s") ? SERVED_S : name.equals("ms") ? SERVED_MS
                        : name.equals("us") ? SERVED_US : unreadable(directive);
            case 'A': case 'C': case 'e': case 'f': case 'I': case 'k': case 'L': case 'n': case 'o':
            case 'P': case 'R': case 'S': case 'X':
                return SKIP;
            default:
                return unreadable(directive);
        }
    }

    private static int apacheTime(String name, String directive) {
        if (name == null) {
            return TIME_CLF_BRACKETED;
        }
        String n = name.startsWith("begin:") ? name.substring(6) : name.startsWith("end:") ? name.substring(4) : name;
        switch (n) {
            case "sec":
                return EPOCH_S;
            case "msec":
                return EPOCH_MS;
            case "usec":
                return EPOCH_US;
            case "%d/%b/%y:%h:%m:%s %z":  // lower-cased: the CLF time without its brackets
                return TIME_CLF;
            case "%y-%m-%dt%h:%m:%s%z":
                return TIME_ISO;
            case "%y-%m-%d":  // W3C's date and time fields, UTC
                return DATE;
            case "%h:%m:%s":
                return TIME;
            default:
                return unreadable(directive);
        }
    }

    private static int unreadable(String directive) {
        throw new IllegalArgumentException("cannot read the directive " + directive);
    }

    /** An nginx {@code log_format} string: {@code $name} or {@code ${name}}; any variable we do not use is skipped. */
    static LogFormat nginx(String format) {
        Builder b = new Builder();
        int n = format.length();
        for (int i = 0; i < n; i++) {
            char c = format.charAt(i);
            if (c != '$') {
                b.literal(c);
                continue;
            }
            int start = i + 1;
            boolean braced = start < n && format.charAt(start) == '{';
            int j = braced ? start + 1 : start;
            while (j < n && (Character.isLetterOrDigit(format.charAt(j)) || format.charAt(j) == '_')) {
                j++;
            }
            String name = format.substring(braced ? start + 1 : start, j);
            if (name.isEmpty() || (braced && (j >= n || format.charAt(j) != '}'))) {
                throw new IllegalArgumentException("cannot read the variable at " + format.substring(i, Math.min(n, i + 12)));
            }
            i = braced ? j : j - 1;
            b.field(nginxKind(name));
        }
        return b.build(false);
    }

    private static int nginxKind(String name) {
        switch (name) {
            case "remote_addr":
                return HOST;
            case "remote_user":
                return USER;
            case "time_local":
                return TIME_CLF;
            case "time_iso8601":
                return TIME_ISO;
            case "msec":
                return EPOCH_S;
            case "request":
                return REQUEST;
            case "request_method":
                return METHOD;
            case "request_uri": case "uri": case "document_uri":
                return URI;
            case "args": case "query_string":
                return QUERY;
            case "server_protocol":
                return PROTOCOL;
            case "status":
                return STATUS;
            case "body_bytes_sent": case "bytes_sent":
                return SIZE;
            case "http_referer":
                return REFERRER;
            case "http_user_agent":
                return USER_AGENT;
            case "http_x_forwarded_for":
                return FORWARDED_FOR;
            case "request_time":
                return SERVED_S;
            case "host": case "server_name": case "http_host":
                return VHOST;
            case "server_port":
                return PORT;
            default:
                return SKIP;
        }
    }

    // --- reading a line ----------------------------------------------------------------

    static Row reject(String reason) {
        Object[] values = new Object[WIDTH];
        values[R_REASON] = reason;
        return RowFactory.create(values);
    }

    /**
     * The fields of {@code raw} read by this format, or a row with only {@code reason} set:
     * {@code blank}, {@code not} (the line is not of this format), {@code truncated},
     * {@code bad timestamp}, {@code bad status}, {@code bad size}, {@code bad time served},
     * {@code trailing garbage}.
     */
    @Override
    public Row parse(String raw) {
        if (raw == null) {
            return reject("blank");
        }
        String s = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
        int n = s.length();
        if (s.isBlank()) {
            return reject("blank");
        }
        if (headers && s.charAt(0) == '#') {
            return reject("header");
        }
        Object[] v = new Object[WIDTH];
        long day = Long.MIN_VALUE;  // the local date and time as written, and its offset
        long second = 0;
        long offset = 0;
        String query = null;
        boolean timed = false;  // a line that ends before its time is of another format, after it cut short
        int i = 0;
        for (int k = 0; k < kinds.length; k++) {
            int kind = kinds[k];
            if (kind == LITERAL) {
                String literal = literals[k];
                if (!s.startsWith(literal, i)) {
                    return reject(i >= n && timed ? "truncated" : "not");
                }
                i += literal.length();
                continue;
            }
            if (kind == TIME_CLF_BRACKETED || kind == TIME_CLF) {
                timed = true;
                int at = kind == TIME_CLF ? i : i + 1;
                if (kind == TIME_CLF_BRACKETED && !(i < n && s.charAt(i) == '[')) {
                    return reject("not");
                }
                if (at + AccessLineParser.TIMESTAMP_LENGTH > n) {
                    return reject(s.indexOf(' ', at) < 0 || s.indexOf(']', at) < 0 ? "truncated" : "bad timestamp");
                }
                if (!AccessLineParser.timestampShape(s, at)) {
                    return reject("bad timestamp");
                }
                long[] instant = AccessLineParser.instant(s, at);
                if (instant == null) {
                    return reject("bad timestamp");
                }
                day = instant[1];
                second = AccessLineParser.number(s, at + 12, 2) * 3600L + AccessLineParser.number(s, at + 15, 2) * 60L
                        + AccessLineParser.number(s, at + 18, 2);
                offset = day * 86400 + second - instant[0];
                i = at + AccessLineParser.TIMESTAMP_LENGTH;
                if (kind == TIME_CLF_BRACKETED) {
                    if (!(i < n && s.charAt(i) == ']')) {
                        return reject(i >= n ? "truncated" : "bad timestamp");
                    }
                    i++;
                }
                continue;
            }
            int end;
            if (quoted[k]) {
                end = AccessLineParser.quotedEnd(s, i);
                if (end < 0) {
                    return reject(timed ? "truncated" : "not");
                }
            } else {
                end = i;
                int stop = stops[k];
                while (end < n && s.charAt(end) != stop && !AccessLineParser.isSpace(s.charAt(end))) {
                    end++;
                }
            }
            String value = s.substring(i, end);
            i = end;
            switch (kind) {
                case HOST:
                    v[R_HOST] = value;
                    break;
                case IDENT:
                    v[R_IDENT] = value;
                    break;
                case USER:
                    v[R_USER] = value;
                    break;
                case TIME_ISO: {
                    timed = true;
                    long[] t = iso(value);
                    if (t == null) {
                        return reject(shape(value, "9999-") ? "bad timestamp" : "not");
                    }
                    day = t[0];
                    second = t[1];
                    offset = t[2];
                    break;
                }
                case EPOCH_S: case EPOCH_MS: case EPOCH_US: {
                    timed = true;
                    long micros = micros(value, kind == EPOCH_S ? 1_000_000 : kind == EPOCH_MS ? 1000 : 1);
                    if (micros < 0) {
                        return reject(shape(value, "9") ? "bad timestamp" : "not");
                    }
                    long epoch = Math.floorDiv(micros, 1_000_000L);
                    day = Math.floorDiv(epoch, 86400L);
                    second = epoch - day * 86400;
                    offset = 0;
                    break;
                }
                case REQUEST: case REQUEST_ABSOLUTE: {
                    String[] request = AccessLineParser.request(value);
                    v[R_METHOD] = request[0];
                    v[R_ENDPOINT] = request[1];
                    v[R_PROTOCOL] = request[2];
                    if (kind == REQUEST_ABSOLUTE && request[1] != null) {
                        absolute(request[1], v);
                    }
                    break;
                }
                case HOST_PORT: {
                    int colon = value.lastIndexOf(':');
                    v[R_HOST] = colon > 0 && port(value.substring(colon + 1)) != null ? value.substring(0, colon) : value;
                    break;
                }
                case DATE: {
                    timed = true;
                    long[] t = value.length() == 10 ? iso(value + "T00:00:00") : null;
                    if (t == null) {
                        return reject(shape(value, "9999-") ? "bad timestamp" : "not");
                    }
                    day = t[0];
                    break;
                }
                case TIME: {
                    long[] t = value.length() == 8 ? iso("2000-01-01T" + value) : null;
                    if (t == null) {
                        return reject(shape(value, "99:") ? "bad timestamp" : "not");
                    }
                    second = t[1];
                    break;
                }
                case METHOD:
                    v[R_METHOD] = dashIsNull(value);
                    break;
                case URI:
                    v[R_ENDPOINT] = dashIsNull(value);
                    break;
                case QUERY:
                    query = value;
                    break;
                case PROTOCOL:
                    v[R_PROTOCOL] = dashIsNull(value);
                    break;
                case STATUS:
                    if (value.length() != 3 || AccessLineParser.digits(value, 0, 3) != 3) {
                        return reject(value.isEmpty() && i >= n ? "truncated" : "bad status");
                    }
                    v[R_STATUS] = AccessLineParser.number(value, 0, 3);
                    break;
                case SIZE:
                    if (!value.equals("-")) {
                        int d = AccessLineParser.digits(value, 0, 16);
                        if (d == 0 || d > 15 || d != value.length()) {
                            return reject(value.isEmpty() && i >= n ? "truncated" : "bad size");
                        }
                        v[R_SIZE] = Long.parseLong(value);
                    }
                    break;
                case REFERRER:
                    v[R_REFERRER] = value;
                    break;
                case USER_AGENT:
                    v[R_USER_AGENT] = value;
                    break;
                case FORWARDED_FOR:
                    v[R_FORWARDED_FOR] = value;
                    break;
                case VHOST:
                    vhost(value, v);
                    break;
                case PORT:
                    v[R_PORT] = port(value);
                    break;
                case SERVED_US: case SERVED_MS: case SERVED_S: {
                    if (!value.equals("-") && !value.equals("-1")) {  // AWS's -1: no response to time
                        long micros = micros(value, kind == SERVED_S ? 1_000_000 : kind == SERVED_MS ? 1000 : 1);
                        if (micros < 0) {
                            return reject(value.isEmpty() && i >= n ? "truncated" : "bad time served");
                        }
                        v[R_SERVED] = micros;
                    }
                    break;
                }
                default:  // SKIP
                    break;
            }
        }
        if (i < n && !AccessLineParser.isSpace(s.charAt(i))) {
            return reject("trailing garbage");
        }
        if (query != null && !query.isEmpty() && !query.equals("-") && v[R_ENDPOINT] != null) {
            v[R_ENDPOINT] = v[R_ENDPOINT] + (query.startsWith("?") ? query : "?" + query);
        }
        v[R_EPOCH] = day * 86400 + second - offset;
        v[R_DAY] = (int) day;
        v[R_HOUR] = (int) (second / 3600);
        return RowFactory.create(v);
    }

    /**
     * A request URL that names its scheme and host ({@code http://www.example.com:80/a}):
     * the host is the virtual host, its port the port, and the endpoint the path from the
     * first slash after the host ({@code /} when there is none).
     */
    private static void absolute(String url, Object[] v) {
        int scheme = url.startsWith("http://") ? 7 : url.startsWith("https://") ? 8 : -1;
        if (scheme < 0) {
            return;
        }
        int slash = url.indexOf('/', scheme);
        vhost(url.substring(scheme, slash < 0 ? url.length() : slash), v);
        v[R_ENDPOINT] = slash < 0 ? "/" : url.substring(slash);
    }

    static String dashIsNull(String value) {
        return value.isEmpty() || value.equals("-") ? null : value;
    }

    /**
     * A virtual host as logged; a trailing {@code :port} (Debian's {@code %v:%p}, a Host
     * header) is the port. A bare IPv6 address has colons of its own and no port.
     */
    static void vhost(String value, Object[] v) {
        int colon = value.lastIndexOf(':');
        Integer port = colon > 0 ? port(value.substring(colon + 1)) : null;
        boolean ipv6 = value.indexOf(':') < colon && !value.startsWith("[");
        if (port != null && !ipv6) {
            v[R_VHOST] = value.substring(0, colon);
            v[R_PORT] = port;
        } else {
            v[R_VHOST] = value;
        }
    }

    static Integer port(String value) {
        int d = AccessLineParser.digits(value, 0, 6);
        return d > 0 && d <= 5 && d == value.length() ? Integer.parseInt(value) : null;
    }

    /**
     * A decimal number of units ({@code 12}, {@code 0.123}) as microseconds, given the
     * microseconds in one unit; -1 when it is not a number. Digits beyond the microsecond
     * are dropped.
     */
    static long micros(String value, long unit) {
        int n = value.length();
        int d = AccessLineParser.digits(value, 0, 15);
        if (d == 0) {
            return -1;
        }
        long whole = Long.parseLong(value, 0, d, 10) * unit;
        if (d == n) {
            return whole;
        }
        if (value.charAt(d) != '.') {
            return -1;
        }
        int f = AccessLineParser.digits(value, d + 1, 18);
        if (f == 0 || d + 1 + f != n) {
            return -1;
        }
        long fraction = 0;
        long scale = unit;
        for (int k = 0; k < f && scale >= 10; k++) {
            scale /= 10;
            fraction += (value.charAt(d + 1 + k) - '0') * scale;
        }
        return whole + fraction;
    }

    /**
     * {local epoch day, local second of the day, offset in seconds} of an ISO 8601 time
     * {@code yyyy-mm-ddTHH:MM:SS[.fff][Z|+hh:mm|+hhmm]} (no zone: UTC), or null.
     */
    static long[] iso(String s) {
        int n = s.length();
        if (n < 19 || !shape(s, "9999-99-99T99:99:99")) {
            return null;
        }
        int i = 19;
        if (i < n && s.charAt(i) == '.') {
            int f = AccessLineParser.digits(s, i + 1, 9);
            if (f == 0) {
                return null;
            }
            i += 1 + f;
        }
        long offset = 0;
        if (i < n && s.charAt(i) == 'Z' && i + 1 == n) {
            i++;
        } else if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            String zone = s.substring(i + 1);
            int hh;
            int mm;
            if (zone.length() == 5 && shape(zone, "99:99")) {
                hh = AccessLineParser.number(zone, 0, 2);
                mm = AccessLineParser.number(zone, 3, 2);
            } else if (zone.length() == 4 && shape(zone, "9999")) {
                hh = AccessLineParser.number(zone, 0, 2);
                mm = AccessLineParser.number(zone, 2, 2);
            } else {
                return null;
            }
            if (mm > 59 || hh * 60 + mm > 18 * 60) {
                return null;
            }
            offset = (s.charAt(i) == '-' ? -1 : 1) * (hh * 3600L + mm * 60L);
            i = n;
        }
        if (i != n) {
            return null;
        }
        int year = AccessLineParser.number(s, 0, 4);
        int month = AccessLineParser.number(s, 5, 2);
        int day = AccessLineParser.number(s, 8, 2);
        int hour = AccessLineParser.number(s, 11, 2);
        int minute = AccessLineParser.number(s, 14, 2);
        int second = AccessLineParser.number(s, 17, 2);
        if (year < 1000 || month < 1 || month > 12 || day < 1 || day > LocalDate.of(year, month, 1).lengthOfMonth()
                || hour > 23 || minute > 59 || second > 59) {
            return null;
        }
        return new long[] {LocalDate.of(year, month, day).toEpochDay(), hour * 3600L + minute * 60L + second, offset};
    }

    /**
     * {@code s} starts with digits where {@code shape} has 9 and the same character elsewhere.
     * A time field that begins as its time would but cannot be read is a bad timestamp; one
     * that does not begin so is a line of another format.
     */
    private static boolean shape(String s, String shape) {
        if (s.length() < shape.length()) {
            return false;
        }
        for (int k = 0; k < shape.length(); k++) {
            char want = shape.charAt(k);
            char c = s.charAt(k);
            if (want == '9' ? !AccessLineParser.isDigit(c) : c != want) {
                return false;
            }
        }
        return true;
    }
}
