package loganalytics;

import org.apache.spark.sql.Row;

/** How lines of one format are read: a line in, {@link FormatParser#SCHEMA} out. */
interface LineReader {
    Row parse(String line);
}
