"""Compiled Jinja templates kept between processes.

Start-up renders every mall to validate it, and each server process compiles
the pages it serves; compiling them again in every process and command cost
a third of a second. Jinja's file cache keeps the compiled code in the user's
temporary directory, checked against each template's source, so a changed
template is compiled again. A cache that cannot be used (no safe temporary
directory, a full or read-only disk) only makes things slower, never fails a
page.
"""

from __future__ import annotations

import logging

from jinja2 import BytecodeCache, FileSystemBytecodeCache
from jinja2.bccache import Bucket

log = logging.getLogger(__name__)


class _TemplateCache(FileSystemBytecodeCache):
    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError as exc:
            log.warning("compiled template not kept: %s", exc)


def template_cache() -> BytecodeCache | None:
    """A cache for an environment's ``bytecode_cache``, or None where there is none to be had."""
    try:
        return _TemplateCache()
    except (OSError, RuntimeError) as exc:
        log.warning("compiled templates are not kept between processes: %s", exc)
        return None
