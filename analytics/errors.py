"""The one error type for mistakes a user can fix, and how any error becomes one line."""

from __future__ import annotations


class UserError(Exception):
    """An error the user can fix (a flag, a missing file, a service that is down): the
    command prints it as one line and exits non-zero, with no traceback."""


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
