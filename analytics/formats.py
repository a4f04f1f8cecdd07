"""The log formats ``--log-format`` takes: a name, or the server's own format line pasted.

A format is resolved (:func:`resolve`) into its *name* (what messages and reject reasons
call it) and its *spec*: what the JVM parser reads lines by. The Common/Combined family
has its own parser, :class:`AccessLineParser` (spec None); every other format is an
Apache ``LogFormat`` string (``apache:...``) or an nginx ``log_format`` string
(``nginx:...``) compiled once by ``analytics/jvm/LogFormat.java``. Pure: no Spark, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import UsageError

#: what ``--log-format`` means when not given: detect the format from the first lines
AUTO = "auto"

#: named formats -> spec (None: the Common/Combined parser, which reads both). A spec is
#: an Apache LogFormat string for the JVM's LogFormat, with three directives of its own:
#: %{hostport}h (a client written host:port), %{absolute}r (a request whose URL names
#: its host: the host is the vhost, the path the endpoint), and a leading # (lines that
#: start with # are headers, not entries).
NAMED = {
    "combined": None,
    "common": None,
    # Apache's "Common Log Format with Virtual Host" and Debian's vhost_combined
    # (%v:%p): a virtual host's trailing :port is read as the port
    "vcombined": 'apache:%v %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"',
    "vcommon": 'apache:%v %h %l %u %t "%r" %>s %b',
    # Traefik's CLF: combined, then the request count, "router" "server URL" and the
    # duration in milliseconds followed by "ms"
    "traefikclf": 'apache:%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %k "%{router}e" "%{server}e" %{ms}Tms',
    # IIS's default W3C fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port
    # cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status
    # time-taken (ms); UTC
    "w3c": "#apache:%{%Y-%m-%d}t %{%H:%M:%S}t %A %m %U %q %p %u %h %{User-Agent}i %{Referer}i %>s "
           "%{substatus}e %{win32-status}e %{ms}T",
    # CloudFront's standard log, tab-separated, its first 24 fields (later ones may follow);
    # UTC; the vhost is x-host-header, time-taken in seconds
    "cloudfront": "#apache:" + "\t".join([
        "%{%Y-%m-%d}t", "%{%H:%M:%S}t", "%{edge-location}e", "%O", "%h", "%m", "%{distribution}e", "%U", "%>s",
        "%{Referer}i", "%{User-Agent}i", "%q", "%{Cookie}i", "%{edge-result-type}e", "%{edge-request-id}e", "%V",
        "%{cs-protocol}e", "%I", "%T", "%{X-Forwarded-For}i", "%{ssl-protocol}e", "%{ssl-cipher}e",
        "%{edge-response-result-type}e", "%H"]),
    # Caddy's JSON access log; nginx's escape=json log with keys named as its variables
    # (time_local, time_iso8601 or msec; remote_addr, remote_user, request or
    # request_method/request_uri/server_protocol, status, body_bytes_sent, http_referer,
    # http_user_agent, http_x_forwarded_for, request_time, host, server_port)
    "caddy": "json:caddy",
    "nginx-json": "json:nginx",
    # AWS Classic Load Balancer: the time served is backend_processing_time; UTC
    "awselb": 'apache:%{%Y-%m-%dT%H:%M:%S%z}t %{elb}e %{hostport}h %{backend}e %{request-processing}e %T '
              '%{response-processing}e %>s %{backend-status}e %I %O "%{absolute}r" "%{User-Agent}i"',
    # AWS Application Load Balancer: the time served is target_processing_time; UTC
    "awsalb": 'apache:%{type}e %{%Y-%m-%dT%H:%M:%S%z}t %{elb}e %{hostport}h %{target}e %{request-processing}e %T '
              '%{response-processing}e %>s %{target-status}e %I %O "%{absolute}r" "%{User-Agent}i"',
}

#: the order detection tries the named formats in: on a tie, the one with more fields wins
DETECTION_ORDER = ["caddy", "nginx-json", "awsalb", "awselb", "cloudfront", "w3c", "traefikclf", "vcombined", "vcommon", "combined", "common"]


@dataclass(frozen=True)
class LogFormat:
    name: str          # how messages name it: "vcombined", or "the LogFormat given"
    spec: str | None   # what the JVM reads it by (None: the Common/Combined parser)


_APACHE_LINE = re.compile(r'^\s*LogFormat\s+"((?:[^"\\]|\\.)*)"(?:\s+\S+)?\s*$', re.DOTALL)
_NGINX_LINE = re.compile(r"^\s*log_format\s+\S+\s+(?:escape=\S+\s+)?(.*?);?\s*$", re.DOTALL)
_NGINX_PART = re.compile(r"'([^']*)'|\"([^\"]*)\"")
_APACHE_DIRECTIVE = re.compile(r"%[<>!0-9,]*(?:\{[^}]*\})?[a-zA-Z]")
_NGINX_VARIABLE = re.compile(r"\$\{?[A-Za-z_]")


def resolve(log_format: str) -> LogFormat:
    """The format ``log_format`` names: a name of :data:`NAMED`, an Apache ``LogFormat``
    string or an nginx ``log_format`` string, pasted bare or as the whole configuration
    line (``LogFormat "..." name``; ``log_format name '...' '...';``). :data:`AUTO` is
    not a format: detection (:func:`analytics.parse.detect_format`) resolves it first.
    Raises :class:`UsageError` for text that is neither."""
    text = log_format.strip()
    if text.lower() in NAMED:
        return LogFormat(text.lower(), NAMED[text.lower()])
    if text.lower() == AUTO:
        raise UsageError("log format auto is resolved by detection, not parsed by")
    apache = _APACHE_LINE.match(text)
    if apache:
        return LogFormat("the LogFormat given", "apache:" + apache.group(1))
    nginx = _NGINX_LINE.match(text)
    if nginx:
        parts = _NGINX_PART.findall(nginx.group(1))
        text = "".join(a or b for a, b in parts) if parts else nginx.group(1)
        return LogFormat("the log_format given", "nginx:" + text)
    if _APACHE_DIRECTIVE.search(text):
        return LogFormat("the LogFormat given", "apache:" + text)
    if _NGINX_VARIABLE.search(text):
        return LogFormat("the log_format given", "nginx:" + text)
    raise UsageError(f"--log-format {log_format!r} is neither a format name ({', '.join([AUTO, *NAMED])}) "
                     f"nor an Apache LogFormat or nginx log_format string")
