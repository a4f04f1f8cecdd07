"""Every log format --log-format takes, on lines as each server's documentation writes them
(sources in tests/data/SOURCES.md, "Format examples"): the fields written by hand, and
every record column checked against the independent reference (tests/reference.py)."""

import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import reference  # noqa: E402

from analytics.errors import UsageError  # noqa: E402
from analytics.parse import (RECORD_COLUMNS, check_format, choose_format, detect_format, parse,  # noqa: E402
                             reject_warning)

UA = "Mozilla/4.08 [en] (Win98; I ;Nav)"
# Apache's own example line (httpd.apache.org/docs/2.4/logs.html, "Combined Log Format")
APACHE = ('127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 '
          f'"http://www.example.com/start.html" "{UA}"')
APACHE_COMMON = '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326'
APACHE_FIELDS = dict(host="127.0.0.1", ident="-", user="frank", timestamp=datetime(2000, 10, 10, 20, 55, 36),
                     date=date(2000, 10, 10), hour=13, method="GET", endpoint="/apache_pb.gif",
                     protocol="HTTP/1.0", status=200, content_size=2326)
# Debian's vhost_combined (%v:%p before the combined fields), the port-less %v of
# Apache's "Common Log Format with Virtual Host"
VCOMBINED = "www.example.com:80 " + APACHE
VCOMMON = "www.example.com " + APACHE_COMMON
# Traefik's CLF, its documented fields in order (doc.traefik.io, observability/access-logs)
TRAEFIK = ('192.168.1.10 - - [15/Mar/2024:10:12:34 +0000] "GET /api/health HTTP/1.1" 200 15 "-" '
           '"curl/8.5.0" 42 "whoami@docker" "http://172.18.0.3:80" 3ms')
# the LogFormat the issue quotes, with %D; and one behind a proxy, pasted as the whole
# configuration line
APACHE_D = r'%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\" %D'
APACHE_PROXY = (r'LogFormat "%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\" '
                r'\"%{X-Forwarded-For}i\" %{ms}T" proxied')
PROXIED = ('10.0.0.5 - - [12/Mar/2024:08:15:42 +0100] "POST /login?next=%2Fhome HTTP/2.0" 302 512 '
           '"https://shop.example.org/login" "Mozilla/5.0 (X11; Linux x86_64)" "203.0.113.7, 10.0.0.2" 87')
# nginx.conf's stock "main" format (nginx.org, ngx_http_log_module and the packaged
# nginx.conf), pasted as configuration, with $request_time added; the line is the
# first of tests/data's zanbil log with its fields
NGINX_MAIN = ("log_format  main  '$remote_addr - $remote_user [$time_local] \"$request\" '\n"
              "                  '$status $body_bytes_sent \"$http_referer\" '\n"
              "                  '\"$http_user_agent\" \"$http_x_forwarded_for\" $request_time';")
ZANBIL_UA = ("Mozilla/5.0 (Linux; Android 6.0; ALE-L21 Build/HuaweiALE-L21) AppleWebKit/537.36 "
             "(KHTML, like Gecko) Chrome/66.0.3359.158 Mobile Safari/537.36")
NGINX_LINE = ('54.36.149.41 - - [22/Jan/2019:03:56:14 +0330] "GET /filter/27|13%20%D9%85%DA%AF%D8%A7%D9%BE'
              '%DB%8C%DA%A9%D8%B3%D9%84,27|%DA%A9%D9%85%D8%AA%D8%B1%20%D8%A7%D8%B2%205%20%D9%85%DA%AF%D8%A7'
              '%D9%BE%DB%8C%DA%A9%D8%B3%D9%84,p53 HTTP/1.1" 200 30577 "-" "Mozilla/5.0 (compatible; '
              'AhrefsBot/6.1; +http://ahrefs.com/robot/)" "-" 0.012')
# an nginx format of one's own: ISO time, the virtual host, $request_time, X-Forwarded-For
NGINX_ISO = '$host $remote_addr [$time_iso8601] "$request" $status $body_bytes_sent $request_time "$http_x_forwarded_for"'
NGINX_ISO_LINE = ('api.example.com 198.51.100.23 [2024-03-12T08:15:42+01:00] "GET /v1/items?page=2 HTTP/1.1" '
                  '404 153 0.000 "198.51.100.1"')

# IIS's default W3C fields (learn.microsoft.com, IIS "W3C logging", its default field set);
# a file starts with # header lines
W3C_HEADERS = ["#Software: Microsoft Internet Information Services 10.0", "#Version: 1.0",
               "#Date: 2019-02-12 00:00:02",
               "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) "
               "cs(Referer) sc-status sc-substatus sc-win32-status time-taken"]
W3C = ("2019-02-12 00:00:02 10.0.0.4 GET /default.htm - 80 - 203.0.113.10 "
       "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) - 200 0 0 15")
W3C_QUERY = ("2019-02-12 23:59:59 10.0.0.4 GET /search.aspx q=iis 443 alice 203.0.113.11 "
             "curl/7.64.1 https://www.example.com/ 404 0 2 1234")
# CloudFront's standard log (docs.aws.amazon.com, CloudFront "Standard logging", its example
# entry), tab-separated
CLOUDFRONT = "\t".join([
    "2019-12-04", "21:02:31", "LAX1", "392", "192.0.2.100", "GET", "d111111abcdef8.cloudfront.net", "/index.html",
    "200", "-", "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)"
    "%20Chrome/78.0.3904.108%20Safari/537.36", "-", "-", "Hit", "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==",
    "d111111abcdef8.cloudfront.net", "https", "23", "0.001", "-", "TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", "Hit",
    "HTTP/2.0", "-", "-", "11040", "0.001", "Hit", "text/html", "78", "-", "-"])
# AWS Classic Load Balancer (docs.aws.amazon.com, "Access logs for your Classic Load
# Balancer", example HTTP entry)
AWSELB = ('2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 '
          '200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -')
# AWS Application Load Balancer (docs.aws.amazon.com, "Access logs for your Application
# Load Balancer", example HTTP and HTTPS entries)
AWSALB = ('http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 '
          '0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - '
          'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 '
          '"Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" '
          '"10.0.0.1:80" "200" "-" "-"')
AWSALB_HTTPS = ('https 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 '
                '10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 "GET https://www.example.com:443/a/b?c=1 HTTP/1.1" '
                '"curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 '
                'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 '
                '"Root=1-58337281-1d84f3d73c47ec4e58577259" "www.example.com" '
                '"arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" 1 '
                '2018-07-02T22:22:48.364000Z "authenticate,forward" "-" "-" "10.0.0.1:80" "200" "-" "-"')
AWSALB_NO_TARGET = AWSALB.replace("0.000 0.001 0.000 200 200", "0.000 -1 -1 502 -")

# Caddy's JSON access log (caddyserver.com/docs/caddyfile/directives/log, its example entry)
CADDY = ('{"level":"info","ts":1646861401.5241024,"logger":"http.log.access","msg":"handled request",'
         '"request":{"remote_ip":"127.0.0.1","remote_port":"41342","client_ip":"127.0.0.1","proto":"HTTP/2.0",'
         '"method":"GET","host":"localhost","uri":"/","headers":{"User-Agent":["curl/7.82.0"],"Accept":["*/*"],'
         '"Accept-Encoding":["gzip, deflate, br"]},"tls":{"resumed":false,"version":772,"cipher_suite":4865,'
         '"proto":"h2","server_name":"example.com"}},"bytes_read":0,"user_id":"","duration":0.000929675,'
         '"size":10900,"status":200,"resp_headers":{"Server":["Caddy"],"Content-Encoding":["gzip"],'
         '"Content-Type":["text/html; charset=utf-8"],"Vary":["Accept-Encoding"]}}')
# nginx's escape=json (nginx.org, ngx_http_log_module, log_format escape=json), keys named as
# the variables; the zanbil line's fields
NGINX_JSON = ('{"time_local":"22/Jan/2019:03:56:14 +0330","remote_addr":"54.36.149.41","remote_user":"",'
              '"request":"GET /a\\\"b?q=\\u00e9 HTTP/1.1","status": "200","body_bytes_sent":"30577",'
              '"request_time":"0.012","http_referrer":"-","http_user_agent":"Mozilla/5.0 (compatible; '
              'AhrefsBot/6.1; +http://ahrefs.com/robot/)","http_x_forwarded_for":"203.0.113.7","host":"www.zanbil.ir"}')

# name -> (format, line, fields written by hand; a timestamp is the instant in UTC)
VALID = {
    "vcombined": ("vcombined", VCOMBINED, dict(APACHE_FIELDS, vhost="www.example.com", port=80,
                                               referrer="http://www.example.com/start.html", user_agent=UA,
                                               time_served_us=None, forwarded_for=None)),
    "vcombined without port": ("vcombined", "www.example.com " + APACHE, dict(vhost="www.example.com", port=None,
                                                                                host="127.0.0.1")),
    "vcommon": ("vcommon", VCOMMON, dict(APACHE_FIELDS, vhost="www.example.com", port=None, referrer=None,
                                         user_agent=None)),
    "vcommon with port": ("vcommon", "www.example.com:443 " + APACHE_COMMON, dict(vhost="www.example.com", port=443)),
    "traefikclf": ("traefikclf", TRAEFIK, dict(
        host="192.168.1.10", ident="-", user="-", timestamp=datetime(2024, 3, 15, 10, 12, 34), date=date(2024, 3, 15),
        hour=10, method="GET", endpoint="/api/health", protocol="HTTP/1.1", status=200, content_size=15,
        referrer="-", user_agent="curl/8.5.0", vhost=None, time_served_us=3000)),
    "combined": ("combined", APACHE, dict(APACHE_FIELDS, user_agent=UA, vhost=None, time_served_us=None)),
    "common": ("common", APACHE_COMMON, dict(APACHE_FIELDS, referrer=None, user_agent=None)),
    "apache %D": (APACHE_D, APACHE + " 1523", dict(APACHE_FIELDS, user_agent=UA, time_served_us=1523)),
    "apache proxied, whole LogFormat line": (APACHE_PROXY, PROXIED, dict(
        host="10.0.0.5", timestamp=datetime(2024, 3, 12, 7, 15, 42), date=date(2024, 3, 12), hour=8, method="POST",
        endpoint="/login?next=%2Fhome", protocol="HTTP/2.0", status=302, content_size=512,
        referrer="https://shop.example.org/login", user_agent="Mozilla/5.0 (X11; Linux x86_64)",
        forwarded_for="203.0.113.7, 10.0.0.2", time_served_us=87000)),
    "nginx main, whole log_format line": (NGINX_MAIN, NGINX_LINE, dict(
        host="54.36.149.41", ident=None, user="-", timestamp=datetime(2019, 1, 22, 0, 26, 14), date=date(2019, 1, 22),
        hour=3, status=200, content_size=30577, referrer="-",
        user_agent="Mozilla/5.0 (compatible; AhrefsBot/6.1; +http://ahrefs.com/robot/)", forwarded_for="-",
        time_served_us=12000)),
    "nginx iso time, vhost": (NGINX_ISO, NGINX_ISO_LINE, dict(
        host="198.51.100.23", ident=None, user=None, timestamp=datetime(2024, 3, 12, 7, 15, 42), date=date(2024, 3, 12),
        hour=8, endpoint="/v1/items?page=2", status=404, content_size=153, vhost="api.example.com", port=None,
        time_served_us=0, forwarded_for="198.51.100.1")),
    "nginx \\x22 in the URL": (NGINX_MAIN, NGINX_LINE.replace("/filter/27", "/a\\x22b/27"),
                               dict(method="GET", protocol="HTTP/1.1", time_served_us=12000)),
    "traefik, line goes on": ("traefikclf", TRAEFIK + " extra", dict(time_served_us=3000)),
    "w3c": ("w3c", W3C, dict(
        host="203.0.113.10", ident=None, user="-", timestamp=datetime(2019, 2, 12, 0, 0, 2), date=date(2019, 2, 12),
        hour=0, method="GET", endpoint="/default.htm", protocol=None, status=200, content_size=None, referrer="-",
        user_agent="Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)", vhost=None, port=80, time_served_us=15000)),
    "w3c with a query": ("w3c", W3C_QUERY, dict(
        user="alice", hour=23, endpoint="/search.aspx?q=iis", port=443, status=404, time_served_us=1234000,
        referrer="https://www.example.com/")),
    "cloudfront": ("cloudfront", CLOUDFRONT, dict(
        host="192.0.2.100", user=None, timestamp=datetime(2019, 12, 4, 21, 2, 31), date=date(2019, 12, 4), hour=21,
        method="GET", endpoint="/index.html", protocol="HTTP/2.0", status=200, content_size=392, referrer="-",
        vhost="d111111abcdef8.cloudfront.net", port=None, time_served_us=1000, forwarded_for="-")),
    "awselb": ("awselb", AWSELB, dict(
        host="192.168.131.39", timestamp=datetime(2015, 5, 13, 23, 39, 43), date=date(2015, 5, 13), hour=23,
        method="GET", endpoint="/", protocol="HTTP/1.1", vhost="www.example.com", port=80, status=200,
        content_size=29, user_agent="curl/7.38.0", time_served_us=1048, referrer=None)),
    "awsalb": ("awsalb", AWSALB, dict(
        host="192.168.131.39", timestamp=datetime(2018, 7, 2, 22, 23, 0), date=date(2018, 7, 2), hour=22,
        method="GET", endpoint="/", vhost="www.example.com", port=80, status=200, content_size=366,
        user_agent="curl/7.46.0", time_served_us=1000)),
    "awsalb https": ("awsalb", AWSALB_HTTPS, dict(endpoint="/a/b?c=1", vhost="www.example.com", port=443,
                                                  content_size=57, time_served_us=48000)),
    "awsalb, no target": ("awsalb", AWSALB_NO_TARGET, dict(status=502, time_served_us=None, content_size=366)),
    "caddy": ("caddy", CADDY, dict(
        host="127.0.0.1", ident=None, user=None, timestamp=datetime(2022, 3, 9, 21, 30, 1), date=date(2022, 3, 9),
        hour=21, method="GET", endpoint="/", protocol="HTTP/2.0", status=200, content_size=10900, referrer=None,
        user_agent="curl/7.82.0", vhost="localhost", port=None, time_served_us=929, forwarded_for=None)),
    "nginx-json": ("nginx-json", NGINX_JSON, dict(
        host="54.36.149.41", user=None, timestamp=datetime(2019, 1, 22, 0, 26, 14), date=date(2019, 1, 22), hour=3,
        method="GET", endpoint='/a"b?q=\u00e9', protocol="HTTP/1.1", status=200, content_size=30577,
        referrer="-", time_served_us=12000, forwarded_for="203.0.113.7", vhost="www.zanbil.ir")),
}

T = "[10/Oct/2000:13:55:36 -0700]"
REJECTED = {
    "combined line as vcombined": ("vcombined", APACHE, "not vcombined"),
    "vcombined line as combined": ("combined", VCOMBINED, "not combined"),
    "common line as vcommon": ("vcommon", APACHE_COMMON, "not vcommon"),
    "combined line as traefikclf": ("traefikclf", APACHE, "not traefikclf"),
    "garbage as vcombined": ("vcombined", "hello world", "not vcombined"),
    "blank as vcommon": ("vcommon", "  ", "blank"),
    "day 32": ("vcombined", VCOMBINED.replace("10/Oct", "32/Oct"), "bad timestamp"),
    "status 2x0": ("vcommon", VCOMMON.replace(" 200 ", " 2x0 "), "bad status"),
    "size 12a": ("vcommon", VCOMMON.replace(" 2326", " 12a"), "bad size"),
    "cut in the request": ("vcombined", f'www.example.com:80 127.0.0.1 - frank {T} "GET /apa', "truncated"),
    "cut after the status": ("vcommon", f'v h - - {T} "GET / HTTP/1.0" 200', "truncated"),
    "duration abc": ("traefikclf", TRAEFIK.replace(" 3ms", " abcms"), "bad time served"),
    "junk after ms": ("traefikclf", TRAEFIK + "X", "trailing garbage"),
    "nginx line without $request_time": (NGINX_MAIN, NGINX_LINE[:-6], "not the log_format given"),
    "apache %D line without it": (APACHE_D, APACHE, "not the LogFormat given"),
    "w3c #Fields": ("w3c", W3C_HEADERS[3], "header"),
    "w3c #Version": ("w3c", W3C_HEADERS[1], "header"),
    "cloudfront #Version": ("cloudfront", "#Version: 1.0", "header"),
    "w3c line as cloudfront": ("cloudfront", W3C, "not cloudfront"),
    "combined line as w3c": ("w3c", APACHE, "not w3c"),
    "w3c 30 February": ("w3c", W3C.replace("2019-02-12 ", "2019-02-30 "), "bad timestamp"),
    "elb line as alb": ("awsalb", AWSELB, "not awsalb"),
    "alb line as elb": ("awselb", AWSALB, "not awselb"),
    "# in a combined log": ("combined", "#Fields: x", "not combined"),
    "combined line as caddy": ("caddy", APACHE, "not caddy"),
    "cut json": ("nginx-json", NGINX_JSON[:80], "truncated"),
    "json without a time": ("nginx-json", '{"status": "200"}', "not nginx-json"),
    "caddy status 2000": ("caddy", CADDY.replace('"status":200', '"status":2000'), "bad status"),
    "json then junk": ("caddy", CADDY + " x", "trailing garbage"),
}


@pytest.fixture(scope="module")
def parsed(spark):
    out = {}
    cases = {n: (f, line) for n, (f, line, _) in VALID.items()}
    cases.update({n: (f, line) for n, (f, line, _) in REJECTED.items()})
    by_format = {}
    for name, (fmt, line) in cases.items():
        by_format.setdefault(fmt, []).append((name, line))
    for fmt, rows in by_format.items():
        for r in parse(spark.createDataFrame(rows, "name string, value string"), log_format=fmt).collect():
            out[r["name"]] = r.asDict()
    return out


def as_utc(value):
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


@pytest.mark.parametrize("name", list(VALID))
def test_valid_line(parsed, name):
    fmt, line, fields = VALID[name]
    row = parsed[name]
    assert row["reject_reason"] is None
    for field, expected in fields.items():
        assert as_utc(row[field]) == expected, field
    want = reference.parse_line(line, _bare(fmt))
    assert want is not None
    got = {c: row[c] for c in RECORD_COLUMNS}
    got["timestamp"] = got["timestamp"].astimezone(timezone.utc)
    assert got == want


def _bare(fmt: str) -> str:
    """What the reference reads ``fmt`` by: the format string of a whole configuration
    line, taken apart by hand; a name or a bare string as it is."""
    if fmt.startswith("LogFormat"):
        return fmt[len('LogFormat "'):fmt.rindex('" ')]
    if fmt.startswith("log_format"):
        return "".join(part for i, part in enumerate(fmt.split("'")) if i % 2 == 1)
    return fmt


@pytest.mark.parametrize("name", list(REJECTED))
def test_rejected_line(parsed, name):
    fmt, line, reason = REJECTED[name]
    row = parsed[name]
    assert row["reject_reason"] == reason
    assert all(row[c] is None for c in RECORD_COLUMNS)
    assert reference.parse_line(line, _bare(fmt)) is None


def test_format_errors(spark):
    with pytest.raises(UsageError, match=r"cannot read the directive %Z"):
        check_format(spark, "%h %Z %t")
    with pytest.raises(UsageError, match=r"cannot read the directive %\{%s\}t"):
        check_format(spark, '%h %{%s}t "%r"')
    with pytest.raises(UsageError, match="no time of the request"):
        check_format(spark, '$remote_addr "$request" $status')
    with pytest.raises(UsageError, match="neither a format name"):
        check_format(spark, "apache2")
    assert check_format(spark, "VCombined").name == "vcombined"
    assert check_format(spark, APACHE_PROXY).name == "the LogFormat given"


SAMPLES = {
    "vcombined": [VCOMBINED, "shop.example.org:443 " + APACHE, "www.example.com " + APACHE],
    "vcommon": [VCOMMON, "intranet:8080 " + APACHE_COMMON],
    "traefikclf": [TRAEFIK, TRAEFIK.replace("3ms", "120ms")],
    "combined": [APACHE, APACHE_COMMON, APACHE],
    "common": [APACHE_COMMON, APACHE_COMMON, APACHE],
    "w3c": [*W3C_HEADERS, W3C, W3C_QUERY],
    "cloudfront": ["#Version: 1.0", CLOUDFRONT, CLOUDFRONT],
    "awselb": [AWSELB, AWSELB],
    "awsalb": [AWSALB, AWSALB_HTTPS, AWSALB_NO_TARGET],
    "caddy": [CADDY, CADDY],
    "nginx-json": [NGINX_JSON],
}


@pytest.mark.parametrize("name", list(SAMPLES))
def test_detection(spark, name):
    assert detect_format(spark, ["", *SAMPLES[name]]) == name


def test_detection_finds_nothing(spark):
    assert detect_format(spark, ["hello", "#Fields: date time"]) is None
    assert detect_format(spark, []) is None
    assert choose_format(spark, "auto", lambda: ["hello"]) == (
        "combined", "log format: combined (no named format reads the first lines)")
    assert choose_format(spark, "auto", lambda: SAMPLES["vcombined"]) == ("vcombined", "log format: vcombined (detected)")
    assert choose_format(spark, "vcommon", lambda: pytest.fail("no detection for a given format")) == (
        "vcommon", "log format: vcommon")


def test_mixed_file(spark):
    """Seven vcombined lines and three combined: detection takes vcombined, the combined
    lines are rejects that say so; read as combined, most lines are rejected and the
    warning names vcombined."""
    lines = [VCOMBINED] * 7 + [APACHE] * 3
    assert detect_format(spark, lines) == "vcombined"
    df = spark.createDataFrame([(line,) for line in lines], "value string")
    reasons = [r["reject_reason"] for r in parse(df, log_format="vcombined").collect()]
    assert reasons == [None] * 7 + ["not vcombined"] * 3
    assert reject_warning(spark, "vcombined", 10, 3, [APACHE] * 3) is None  # not more than half
    as_combined = [r["reject_reason"] for r in parse(df, log_format="combined").collect()]
    assert as_combined == ["not combined"] * 7 + [None] * 3
    assert reject_warning(spark, "combined", 10, 7, [VCOMBINED] * 7) == (
        "warning: 7 of 10 lines rejected as not combined; they look like vcombined: --log-format vcombined")
    assert reject_warning(spark, "combined", 10_000, 9_990, ["hello"]) == (
        "warning: 9,990 of 10,000 lines rejected as not combined; no named format reads them either: "
        "paste your server's format line with --log-format")
