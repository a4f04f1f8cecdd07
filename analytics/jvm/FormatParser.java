package loganalytics;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF2;

/**
 * One access-log line and its format's spec in, its fields out: the Spark UDF behind
 * {@code analytics/parse.py} for every format but the Common/Combined family (which
 * {@link AccessLineParser} reads). The spec is a literal column; it is compiled once per
 * JVM ({@link LogFormat#of}) and the last one is kept at hand, so a row costs one string
 * comparison more than its scan.
 */
public final class FormatParser implements UDF2<String, String, Row> {
    private static final long serialVersionUID = 1L;

    /** The result type, as Spark DDL: {@code reason} is null for a record. */
    public static final String SCHEMA = "reason string, host string, ident string, user string, "
            + "epoch_second bigint, epoch_day int, hour int, method string, endpoint string, protocol string, "
            + "status int, content_size bigint, referrer string, user_agent string, "
            + "vhost string, port int, time_served_us bigint, forwarded_for string";

    private transient String lastSpec;
    private transient LineReader last;

    /** {@link #SCHEMA}, for SQL's {@code reflect()} (a Spark Connect client has no JVM to read the field). */
    public static String schema() {
        return SCHEMA;
    }

    /**
     * Why {@code spec} cannot be read, in one line, or the empty string when it can: asked
     * once at start (through SQL's {@code reflect()}, so that Spark Connect can ask too).
     */
    public static String check(String spec) {
        try {
            LogFormat.of(spec);
            return "";
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    @Override
    public Row call(String line, String spec) {
        if (!spec.equals(lastSpec)) {
            last = LogFormat.of(spec);
            lastSpec = spec;
        }
        return last.parse(line);
    }
}
