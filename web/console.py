"""The ``iop`` console script (pyproject.toml): web.cli's commands, with the
interpreter's cyclic collector kept from walking what lives until the end.

Importing the application makes some 130,000 objects, classes and functions
that live as long as the process, and the collector walked them about 300
times while they were made (0.1 to 0.17 s of every command's start on the CI
machine). They are imported with the collector off and then frozen: later
collections, which run as usual, leave them alone. What the command made is
frozen too once it is done: the collections at shutdown took 0.3 s after
'iop demo' and found everything still referenced.

Kept apart from web.cli so that the collector is off before the first
import, and so that the tests, which call web.cli.main in their own
process, never freeze theirs."""

from __future__ import annotations

import gc
import sys


def main() -> None:
    gc.disable()
    try:
        from web import cli
    finally:
        gc.freeze()
        gc.enable()
    status = cli.main()
    gc.freeze()
    sys.exit(status)


if __name__ == "__main__":
    main()
