"""Benchmark: lines/s of the parser per log format, next to the Combined path, same run.

    .venv/bin/python bench/bench_parse.py [--lines 200000] [--repeat 5]

The same generated requests (python -m analytics.generate, seed 1995, combined) written in
every format (bench/data/parse_<format>_<N>.log, made once), each read into memory once
and parsed once to warm up; then --repeat rounds, each timing parse() with every column
materialised (Spark's noop sink) once per format in turn, on local[2]; the median per
format. This prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
sys.path.insert(0, str(ROOT))

from analytics.generate import generate  # noqa: E402

NGINX = ('$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" '
         '"$http_user_agent" "$http_x_forwarded_for" $request_time')
COMMON_PART = re.compile(r'.*?\] "(?:[^"\\]|\\.)*" \d{3} \S+')
APACHE_D = r'%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\" %D'


def _rewrite(combined: str, fmt: str, k: int) -> str:
    """One combined line written as ``fmt`` would write the same request."""
    common = COMMON_PART.match(combined).group(0)
    if fmt == "combined":
        return combined
    if fmt == "common":
        return common
    if fmt == "vcombined":
        return f"www.example{k % 7}.com:{80 if k % 2 else 443} {combined}"
    if fmt == "vcommon":
        return f"www.example{k % 7}.com {common}"
    if fmt == "traefikclf":
        return f'{combined} {k} "router{k % 5}@docker" "http://10.0.0.{k % 9}:80" {k % 300}ms'
    if fmt in ("w3c", "cloudfront", "awselb", "awsalb", "caddy", "nginx-json"):
        return _rewrite_other(combined, fmt, k)
    if fmt == APACHE_D:
        return f"{combined} {k % 900_000}"
    if fmt == NGINX:
        return f'{combined} "-" {k % 3}.{k % 1000:03d}'
    raise ValueError(fmt)


PARTS = re.compile(r'(\S+) \S+ (\S+) \[(\d\d)/(\w{3})/(\d{4}):(\d\d:\d\d:\d\d) [^\]]*\] "([^"]*)" '
                   r'(\d{3}) (\S+) "([^"]*)" "([^"]*)"')
MONTHS = {m: i for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                                      "Dec"], 1)}


def _rewrite_other(combined: str, fmt: str, k: int) -> str:
    """A generated combined line (plain fields, no escapes) written as a W3C, CloudFront,
    AWS or JSON entry of the same request."""
    host, user, dd, mon, yyyy, clock, request, status, size, referrer, agent = PARTS.match(combined).groups()
    words = request.split(" ")
    method = words[0] or "-"
    protocol = words[-1] if len(words) >= 3 else "HTTP/1.0"
    path = "%20".join(words[1:-1] if len(words) >= 3 else words[1:]) or "/"
    day = f"{yyyy}-{MONTHS[mon]:02d}-{dd}"
    size = "0" if size == "-" else size
    plus = agent.replace(" ", "+")
    if fmt == "w3c":
        return f"{day} {clock} 10.0.0.4 {method} {path} - 80 {user} {host} {plus} {referrer} {status} 0 0 {k % 500}"
    if fmt == "cloudfront":
        return "\t".join([day, clock, "LAX1", size, host, method, "d1.cloudfront.net", path, status, referrer,
                          agent.replace(" ", "%20"), "-", "-", "Hit", f"id{k}==", "www.example.com", "https", "23",
                          f"0.{k % 1000:03d}", "-", "TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", "Hit", protocol])
    if fmt in ("awselb", "awsalb"):
        line = (f"{day}T{clock}.{k % 1000000:06d}Z my-lb {host}:{1024 + k % 60000} 10.0.0.1:80 0.000073 "
                f'0.{k % 1000:06d} 0.000057 {status} {status} 0 {size} "{method} http://www.example.com:80{path} '
                f'{protocol}" "{agent}" - -')
        return f"http {line} arn:aws:elasticloadbalancing:x \"Root=1-{k}\" \"-\" \"-\" 0" if fmt == "awsalb" else line
    import calendar
    ts = calendar.timegm((int(yyyy), MONTHS[mon], int(dd), *map(int, clock.split(":"))))
    if fmt == "caddy":
        return ('{"level":"info","ts":%d.%06d,"logger":"http.log.access","msg":"handled request","request":'
                '{"remote_ip":"%s","remote_port":"41342","client_ip":"%s","proto":"%s","method":"%s",'
                '"host":"www.example.com","uri":"%s","headers":{"User-Agent":["%s"],"Referer":["%s"]}},'
                '"bytes_read":0,"user_id":"","duration":0.%06d,"size":%s,"status":%s}'
                % (ts, k % 1000000, host, host, protocol, method, path, agent, referrer, k % 1000000, size, status))
    return ('{"time_local":"%s","remote_addr":"%s","remote_user":"","request":"%s %s %s","status":"%s",'
            '"body_bytes_sent":"%s","request_time":"0.%03d","http_referer":"%s","http_user_agent":"%s",'
            '"http_x_forwarded_for":"-"}' % (combined[combined.index("[") + 1:combined.index("]")], host, method,
                                             path, protocol, status, size, k % 1000, referrer, agent))


FORMATS = {"combined": "combined", "common": "common", "vcombined": "vcombined", "vcommon": "vcommon",
           "traefikclf": "traefikclf", "Apache LogFormat + %D": APACHE_D, "nginx log_format + $request_time": NGINX,
           "w3c": "w3c", "cloudfront": "cloudfront", "awselb": "awselb", "awsalb": "awsalb", "caddy": "caddy",
           "nginx-json": "nginx-json"}


def data_files(lines: int) -> dict[str, Path]:
    DATA.mkdir(parents=True, exist_ok=True)
    source = DATA / f"parse_combined_{lines}.log"
    if not source.exists():
        generate(source, lines, format="combined")
    files = {}
    combined = source.read_text().splitlines()
    for label, fmt in FORMATS.items():
        path = DATA / f"parse_{label.split()[0].lower()}{'' if ' ' not in label else '_pasted'}_{lines}.log"
        if path.exists() and path.stat().st_size == 0:
            path.unlink()
        if not path.exists():
            path.write_text("".join(_rewrite(line, fmt, k) + "\n" for k, line in enumerate(combined)))
        files[label] = path
    return files


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lines", type=int, default=200_000)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()

    from pyspark import StorageLevel

    from analytics.parse import parse, read_lines
    from analytics.session import spark_session

    files = data_files(args.lines)
    spark = spark_session("bench-parse", "local[2]")
    parsed, rejected = {}, {}
    for label, path in files.items():
        lines = read_lines(spark, str(path)).repartition(2).persist(StorageLevel.MEMORY_ONLY)
        lines.count()
        parsed[label] = parse(lines, log_format=FORMATS[label])
        rejected[label] = parsed[label].where("reject_reason IS NOT NULL").count()  # a warm-up run, and a check
    # rounds over every format in turn, so that a busy moment of the machine falls on all alike
    seconds = {label: [] for label in files}
    for _ in range(args.repeat):
        for label in files:
            started = time.perf_counter()
            parsed[label].write.format("noop").mode("overwrite").save()
            seconds[label].append(time.perf_counter() - started)
    rate = {label: args.lines / statistics.median(s) for label, s in seconds.items()}
    for label in files:
        print(f"{label:34s} {rate[label]:>12,.0f} lines/s  ({rate[label] / rate['combined']:.2f} x combined; "
              f"{rejected[label]:,} rejected)", flush=True)
    spark.stop()

if __name__ == "__main__":
    main()
