package loganalytics;

import java.util.HashMap;
import java.util.Map;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * A JSON access log, one object per line: Caddy's ({@code json:caddy}) or nginx's
 * {@code escape=json} with keys named as its variables ({@code json:nginx}). The line is
 * read in one pass into its values by dotted path ({@code request.headers.User-Agent});
 * an array's value is its first element; strings are unescaped. Then each column takes
 * the first of its keys that is there.
 */
final class JsonFormat implements LineReader {
    private final boolean caddy;

    JsonFormat(String flavour) {
        if (!flavour.equals("caddy") && !flavour.equals("nginx")) {
            throw new IllegalArgumentException("no JSON format named " + flavour);
        }
        this.caddy = flavour.equals("caddy");
    }

    @Override
    public Row parse(String raw) {
        if (raw == null) {
            return LogFormat.reject("blank");
        }
        String s = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
        if (s.isBlank()) {
            return LogFormat.reject("blank");
        }
        int i = skipSpace(s, 0);
        if (s.charAt(i) != '{') {
            return LogFormat.reject("not");
        }
        Map<String, String> values = new HashMap<>();
        int end = value(s, i, "", values, 0);
        if (end < 0) {
            return LogFormat.reject(end == TRUNCATED ? "truncated" : "not");
        }
        if (skipSpace(s, end) < s.length()) {
            return LogFormat.reject("trailing garbage");
        }
        return caddy ? caddy(values) : nginx(values);
    }

    private static Row caddy(Map<String, String> j) {
        Object[] v = new Object[LogFormat.WIDTH];
        String ts = j.get("ts");
        long micros = ts == null ? -1 : LogFormat.micros(ts, 1_000_000);
        if (micros < 0) {
            return LogFormat.reject(ts == null ? "not" : "bad timestamp");
        }
        if (!status(j.get("status"), v)) {
            return LogFormat.reject("bad status");
        }
        epoch(micros, v);
        v[LogFormat.R_HOST] = first(j, "request.client_ip", "request.remote_ip");
        v[LogFormat.R_USER] = nonEmpty(j.get("user_id"));
        v[LogFormat.R_METHOD] = nonEmpty(j.get("request.method"));
        v[LogFormat.R_ENDPOINT] = nonEmpty(j.get("request.uri"));
        v[LogFormat.R_PROTOCOL] = nonEmpty(j.get("request.proto"));
        v[LogFormat.R_REFERRER] = j.get("request.headers.Referer");
        v[LogFormat.R_USER_AGENT] = j.get("request.headers.User-Agent");
        v[LogFormat.R_FORWARDED_FOR] = j.get("request.headers.X-Forwarded-For");
        String host = j.get("request.host");
        if (host != null) {
            LogFormat.vhost(host, v);
        }
        return size(j.get("size"), v) && served(j.get("duration"), v) ? RowFactory.create(v)
                : LogFormat.reject("bad size");
    }

    private static Row nginx(Map<String, String> j) {
        Object[] v = new Object[LogFormat.WIDTH];
        String local = j.get("time_local");
        String iso = j.get("time_iso8601");
        String msec = j.get("msec");
        if (local != null) {
            if (local.length() != AccessLineParser.TIMESTAMP_LENGTH || !AccessLineParser.timestampShape(local, 0)) {
                return LogFormat.reject("bad timestamp");
            }
            long[] instant = AccessLineParser.instant(local, 0);
            if (instant == null) {
                return LogFormat.reject("bad timestamp");
            }
            v[LogFormat.R_EPOCH] = instant[0];
            v[LogFormat.R_DAY] = (int) instant[1];
            v[LogFormat.R_HOUR] = AccessLineParser.number(local, 12, 2);
        } else if (iso != null) {
            long[] t = LogFormat.iso(iso);
            if (t == null) {
                return LogFormat.reject("bad timestamp");
            }
            v[LogFormat.R_EPOCH] = t[0] * 86400 + t[1] - t[2];
            v[LogFormat.R_DAY] = (int) t[0];
            v[LogFormat.R_HOUR] = (int) (t[1] / 3600);
        } else if (msec != null) {
            long micros = LogFormat.micros(msec, 1_000_000);
            if (micros < 0) {
                return LogFormat.reject("bad timestamp");
            }
            epoch(micros, v);
        } else {
            return LogFormat.reject("not");
        }
        if (!status(j.get("status"), v)) {
            return LogFormat.reject("bad status");
        }
        v[LogFormat.R_HOST] = j.get("remote_addr");
        v[LogFormat.R_USER] = nonEmpty(j.get("remote_user"));
        String request = j.get("request");
        if (request != null) {
            String[] parts = AccessLineParser.request(request);
            v[LogFormat.R_METHOD] = parts[0];
            v[LogFormat.R_ENDPOINT] = parts[1];
            v[LogFormat.R_PROTOCOL] = parts[2];
        } else {
            v[LogFormat.R_METHOD] = LogFormat.dashIsNull(nullToEmpty(j.get("request_method")));
            v[LogFormat.R_ENDPOINT] = LogFormat.dashIsNull(nullToEmpty(first(j, "request_uri", "uri")));
            v[LogFormat.R_PROTOCOL] = LogFormat.dashIsNull(nullToEmpty(j.get("server_protocol")));
        }
        v[LogFormat.R_REFERRER] = first(j, "http_referer", "http_referrer");
        v[LogFormat.R_USER_AGENT] = j.get("http_user_agent");
        v[LogFormat.R_FORWARDED_FOR] = j.get("http_x_forwarded_for");
        String host = first(j, "host", "server_name", "http_host");
        if (host != null) {
            LogFormat.vhost(host, v);
        }
        String port = j.get("server_port");
        if (port != null) {
            v[LogFormat.R_PORT] = LogFormat.port(port);
        }
        return size(first(j, "body_bytes_sent", "bytes_sent"), v) && served(j.get("request_time"), v)
                ? RowFactory.create(v) : LogFormat.reject("bad size");
    }

    private static void epoch(long micros, Object[] v) {
        long second = Math.floorDiv(micros, 1_000_000L);
        long day = Math.floorDiv(second, 86400L);
        v[LogFormat.R_EPOCH] = second;
        v[LogFormat.R_DAY] = (int) day;
        v[LogFormat.R_HOUR] = (int) ((second - day * 86400) / 3600);
    }

    private static boolean status(String status, Object[] v) {
        if (status == null || status.length() != 3 || AccessLineParser.digits(status, 0, 3) != 3) {
            return false;
        }
        v[LogFormat.R_STATUS] = AccessLineParser.number(status, 0, 3);
        return true;
    }

    private static boolean size(String size, Object[] v) {
        if (size == null || size.equals("-")) {
            return true;
        }
        int d = AccessLineParser.digits(size, 0, 16);
        if (d == 0 || d > 15 || d != size.length()) {
            return false;
        }
        v[LogFormat.R_SIZE] = Long.parseLong(size);
        return true;
    }

    /** A time served in seconds ({@code 0.000929675}); what cannot be read is null, not a reject. */
    private static boolean served(String seconds, Object[] v) {
        long micros = seconds == null ? -1 : LogFormat.micros(seconds, 1_000_000);
        v[LogFormat.R_SERVED] = micros < 0 ? null : micros;
        return true;
    }

    private static String first(Map<String, String> j, String... keys) {
        for (String key : keys) {
            String value = j.get(key);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static String nonEmpty(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }

    // --- reading JSON ------------------------------------------------------------------

    private static final int MALFORMED = -1, TRUNCATED = -2, MAX_DEPTH = 32;

    private static int skipSpace(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n' || s.charAt(i) == '\r')) {
            i++;
        }
        return i;
    }

    /**
     * Reads the value at {@code i} into {@code out} under {@code path} (objects: each member
     * under {@code path.key}; arrays: their first element under {@code path}); the index
     * after it, or {@link #MALFORMED} / {@link #TRUNCATED}.
     */
    private static int value(String s, int i, String path, Map<String, String> out, int depth) {
        int n = s.length();
        i = skipSpace(s, i);
        if (i >= n) {
            return TRUNCATED;
        }
        if (depth > MAX_DEPTH) {
            return MALFORMED;
        }
        char c = s.charAt(i);
        if (c == '{' || c == '[') {
            boolean object = c == '{';
            char close = object ? '}' : ']';
            i = skipSpace(s, i + 1);
            if (i < n && s.charAt(i) == close) {
                return i + 1;
            }
            for (int k = 0; ; k++) {
                String member = path;
                if (object) {
                    StringBuilder key = new StringBuilder();
                    i = skipSpace(s, i);
                    if (i >= n) {
                        return TRUNCATED;
                    }
                    if (s.charAt(i) != '"') {
                        return MALFORMED;
                    }
                    i = string(s, i + 1, key);
                    if (i < 0) {
                        return i;
                    }
                    i = skipSpace(s, i);
                    if (i >= n) {
                        return TRUNCATED;
                    }
                    if (s.charAt(i) != ':') {
                        return MALFORMED;
                    }
                    i++;
                    member = path.isEmpty() ? key.toString() : path + "." + key;
                }
                // an array keeps its first element only: the others are read and dropped
                i = value(s, i, member, object || k == 0 ? out : new HashMap<>(), depth + 1);
                if (i < 0) {
                    return i;
                }
                i = skipSpace(s, i);
                if (i >= n) {
                    return TRUNCATED;
                }
                if (s.charAt(i) == close) {
                    return i + 1;
                }
                if (s.charAt(i) != ',') {
                    return MALFORMED;
                }
                i++;
            }
        }
        if (c == '"') {
            StringBuilder text = new StringBuilder();
            int end = string(s, i + 1, text);
            if (end >= 0) {
                out.put(path, text.toString());
            }
            return end;
        }
        int end = i;
        while (end < n && ",}] \t\r\n".indexOf(s.charAt(end)) < 0) {
            end++;
        }
        String literal = s.substring(i, end);
        if (end >= n) {
            return TRUNCATED;
        }
        if (!literal.equals("null") && !literal.equals("true") && !literal.equals("false")
                && !literal.matches("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?")) {
            return MALFORMED;
        }
        if (!literal.equals("null")) {
            out.put(path, literal);
        }
        return end;
    }

    /** The string whose text starts at {@code i} (after its quote), unescaped into {@code text}; the index after its closing quote. */
    private static int string(String s, int i, StringBuilder text) {
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c != '\\') {
                text.append(c);
                i++;
                continue;
            }
            if (i + 1 >= n) {
                return TRUNCATED;
            }
            char e = s.charAt(i + 1);
            switch (e) {
                case '"': case '\\': case '/':
                    text.append(e);
                    break;
                case 'b':
                    text.append('\b');
                    break;
                case 'f':
                    text.append('\f');
                    break;
                case 'n':
                    text.append('\n');
                    break;
                case 'r':
                    text.append('\r');
                    break;
                case 't':
                    text.append('\t');
                    break;
                case 'u':
                    if (i + 6 > n) {
                        return TRUNCATED;
                    }
                    try {
                        text.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
                    } catch (NumberFormatException ex) {
                        return MALFORMED;
                    }
                    i += 4;
                    break;
                default:
                    return MALFORMED;
            }
            i += 2;
        }
        return TRUNCATED;
    }
}
