"""Call the methods of the xmlrpc example with xmlrpc.client and print the answers.

    python client.py [URL]        (default: http://127.0.0.1:8016/)

The last two calls are wrong on purpose: the server answers them with faults, which
xmlrpc.client raises as xmlrpc.client.Fault.
"""

from __future__ import annotations

import argparse
import sys
import xmlrpc.client

DEFAULT_URL = "http://127.0.0.1:8016/"

#: (method name, arguments) of each call, in order.
CALLS = [
    ("add", (2, 3)),
    ("math.multiply", (6, 7)),
    ("math.divide", (7, 2)),
    ("math.stats", ([3, 1, 4, 1, 5],)),
    ("math.divide", (1, 0)),
    ("add", (1, "one")),
]


def describe(name: str, args: tuple) -> str:
    """A call as Python would write it: `math.divide(7, 2)`."""
    return "%s(%s)" % (name, ", ".join(repr(arg) for arg in args))


def run(url: str) -> int:
    """Make every call of CALLS against `url`, print the results; the exit status."""
    with xmlrpc.client.ServerProxy(url) as server:
        for name, args in CALLS:
            # A dotted name is one method name: getattr(server, "math.multiply")
            # is what `server.math.multiply` gives.
            method = getattr(server, name)
            try:
                result = method(*args)
            except xmlrpc.client.Fault as fault:
                print("%s -> Fault %d: %s" % (describe(name, args), fault.faultCode,
                                              fault.faultString))
            except (OSError, xmlrpc.client.ProtocolError) as error:
                print("client.py: cannot call %s at %s: %s" % (name, url, error), file=sys.stderr)
                return 1
            else:
                print("%s = %r" % (describe(name, args), result))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Call the XML-RPC methods of the xmlrpc example.")
    parser.add_argument("url", nargs="?", default=DEFAULT_URL,
                        help="address of the XML-RPC server (default: %(default)s)")
    return run(parser.parse_args(argv).url)


if __name__ == "__main__":
    sys.exit(main())
