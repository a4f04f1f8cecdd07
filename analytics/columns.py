"""The columns of a parsed record (what :func:`analytics.parse.parse` adds to each line)."""

#: Parsed columns added by :func:`analytics.parse.parse`, in order (``reject_reason`` follows them).
RECORD_COLUMNS = [
    "host", "ident", "user", "timestamp", "date", "hour", "method", "endpoint",
    "protocol", "status", "content_size", "referrer", "user_agent",
    "vhost", "port", "time_served_us", "forwarded_for",
]
