"""The one error type for mistakes a user can fix, how any error becomes one line, and the
exit codes every command of the project shares:

- 0: done;
- 1: the work failed (a missing file, a service that is down, a Spark job that failed);
- 2: the command was called wrongly (a flag or an environment variable);
- 3: done, but some input was skipped (the producer's lines over the message limit).
"""

from __future__ import annotations

import sys

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_SKIPPED = 0, 1, 2, 3


class UserError(Exception):
    """An error the user can fix (a missing file, a service that is down): the command
    prints it as one line and exits 1, with no traceback."""

    exit_code = EXIT_FAILED


class UsageError(UserError):
    """A flag or environment variable with a value the command cannot use: exit 2, as
    argparse does for a bad flag."""

    exit_code = EXIT_USAGE


def fail(prog: str, error: BaseException) -> int:
    """Print ``error`` as ``prog: error: <one line>`` on stderr and return its exit code."""
    message = str(error) if isinstance(error, UserError) else one_line(error)
    print(f"{prog}: error: {message}", file=sys.stderr, flush=True)
    return getattr(error, "exit_code", EXIT_FAILED)


def one_line(error: BaseException) -> str:
    """The first meaningful line of an error: the Java exception's own and its root
    cause's, when Spark's Python side wraps one, not the Python and Java stack traces
    around it."""
    java = getattr(error, "java_exception", None)
    if java is not None:
        text = _first_line(str(java.toString()))
        root = java
        while root.getCause() is not None and not root.getCause().equals(root):
            root = root.getCause()
        if not root.equals(java):  # Spark's wrapper names the file or the job; the cause, why
            text += f" (caused by {_first_line(str(root.toString()))})"
    elif hasattr(error, "getCondition"):  # Spark's own Python errors name their class first
        text = str(error)
    else:
        text = f"{type(error).__name__}: {error}"
    return _first_line(text, 600) or type(error).__name__


def _first_line(text: str, limit: int = 400) -> str:
    for line in text.strip().splitlines():
        line = line.strip()
        if line and not line.startswith(("at ", "Traceback", "File ", "py4j", "JVM stacktrace")):
            return line[:limit]
    return ""
