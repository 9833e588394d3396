"""`python -m okxlink.sim`: run the OKX simulator, and the link service beside it, on loopback
(see okxlink.sim.runner)."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m okxlink.sim",
        description="OKX V5-compatible REST simulator on 127.0.0.1. Prints one JSON line "
                    "(URL and fake credentials) once it accepts connections.")
    parser.add_argument("--port", type=int, default=0, help="port (0: pick a free one)")
    parser.add_argument("--latency-ms", type=float, default=0, help="delay before every answer")
    parser.add_argument("--accounts", metavar="FILE", help="accounts file (JSON, or TOML on 3.11+)")
    parser.add_argument("--clock-offset-s", type=float, default=0.0,
                        help="server clock = real time + this many seconds")
    parser.add_argument("--fail-status", type=int, metavar="CODE",
                        help="answer every request with this HTTP status (503, 429, 500, ...)")
    parser.add_argument("--malformed", action="store_true", help="answer truncated JSON")
    parser.add_argument("--hang", action="store_true", help="never answer")
    link = parser.add_argument_group(
        "link service", "the reference linking service (docs/link-service.md), on a second port")
    link.add_argument("--link-port", type=int, default=0, help="its port (0: pick a free one)")
    link.add_argument("--link-db", metavar="FILE",
                      help="SQLite file for links, key in FILE.key (default: temporary, deleted "
                           "at exit)")
    link.add_argument("--link-token", metavar="TOKEN",
                      help="bearer token it accepts (default: random, shown in the ready line)")
    link.add_argument("--link-source-ip", metavar="IP", action="append", dest="link_source_ips",
                      help="address it verifies keys from; repeat for more, tried in order after "
                           "a 50110 (default: 127.0.0.2)")
    link.add_argument("--no-link", action="store_true", help="do not run the link service")
    args = parser.parse_args(argv)

    from okxlink.sim.runner import run

    try:
        return run(port=args.port, latency_ms=args.latency_ms, accounts_file=args.accounts,
                   clock_offset_s=args.clock_offset_s, fail_status=args.fail_status,
                   malformed=args.malformed, hang=args.hang, link_port=args.link_port,
                   link_db=args.link_db, link_token=args.link_token,
                   link_source_ips=args.link_source_ips or ("127.0.0.2",),
                   no_link=args.no_link)
    except (OSError, ValueError) as exc:  # bad accounts file or link database, port in use
        print(f"okxlink.sim: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
