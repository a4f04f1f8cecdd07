"""python -m stack install|up|spark-cluster|connect|down|status|logs|clean-data"""
import argparse
import sys

from . import services


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m stack",
        description="Run the local Kafka broker and HDFS (NameNode + DataNode), and on demand a Spark "
                    "cluster and a Spark Connect server, on 127.0.0.1.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    install = commands.add_parser("install", help="resolve the Kafka, Hadoop and Spark-Kafka jars with Maven (one folder each)")
    install.add_argument("--force", action="store_true", help="resolve again even if up to date")
    start = commands.add_parser("up", help="start what is not running, wait until ready, print where each listens")
    start.add_argument("--timeout", type=float, default=150.0, help="seconds to wait for readiness (default 150)")
    for name, what in (("spark-cluster", "a standalone Spark master (spark://127.0.0.1:7077) and two workers"),
                       ("connect", "a Spark Connect server (sc://127.0.0.1:15002) with the parser and the Kafka connector")):
        group = commands.add_parser(name, help=f"start {what}, wait until ready")
        group.add_argument("--timeout", type=float, default=150.0, help="seconds to wait for readiness (default 150)")
    commands.add_parser("down", help="stop every service: SIGTERM, then SIGKILL after a grace period")
    commands.add_parser("status", help="report each service; exit 1 if any is down or not ready")
    log = commands.add_parser("logs", help="show the last lines of the services' logs")
    log.add_argument("service", nargs="?", choices=[s.name for s in services.services()], help="one service only")
    log.add_argument("-n", "--lines", type=int, default=30, help="lines per log (default 30)")
    commands.add_parser("clean-data", help="wipe the services' data, logs and generated config (stack must be down)")
    args = parser.parse_args(argv)
    try:
        if args.command == "install":
            services.java_version()
            services.install(force=args.force)
        elif args.command == "up":
            services.up(timeout=args.timeout)
        elif args.command in ("spark-cluster", "connect"):
            services.up(timeout=args.timeout, group=args.command)
        elif args.command == "down":
            services.down()
        elif args.command == "status":
            return 0 if services.status() else 1
        elif args.command == "logs":
            services.logs(args.service, args.lines)
        elif args.command == "clean-data":
            services.clean_data()
    except services.StackError as error:
        print(f"stack: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
