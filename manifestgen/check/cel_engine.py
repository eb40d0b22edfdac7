"""The one place that talks to the CEL library (``common-expression-language``, module ``cel``).

It compiles rule text once per process, registers the Kubernetes CEL extension functions that the
upstream CRDs use, and turns the library's exceptions into an :class:`Outcome` that says whether a
failure was caused by the object (Kubernetes would reject it) or by a limit of the library (we must
not pretend the rule passed, nor that it failed).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from manifestgen.check import cel_functions
from manifestgen.check.cel_library import cel

OLD_SELF: Final = "oldSelf"

# Functions the Rust engine implements natively (probed on cel 0.10). Anything else a rule calls
# must be registered by us, or the rule is reported as skipped before it runs.
NATIVE_FUNCTIONS: Final = frozenset(
    {
        "size", "matches", "startsWith", "endsWith", "contains",
        "int", "uint", "double", "string", "bytes", "timestamp", "duration", "dyn", "type",
        "getFullYear", "getMonth", "getDayOfYear", "getDayOfMonth", "getDate", "getDayOfWeek",
        "getHours", "getMinutes", "getSeconds", "getMilliseconds",
        "hasValue", "value", "orValue", "or", "of", "none", "ofNonZeroValue",
    }
)  # fmt: skip

# cel 0.10 answers size() of a string in UTF-8 bytes where Kubernetes counts characters, and a
# native function cannot be overridden: rules call this one instead (see _count_characters).
SIZE_FUNCTION: Final = "manifestgen_size"
# CEL string and bytes literals, raw or not, so that a `size(` inside one is left alone.
_LITERAL: Final = re.compile(
    r"""(?:[rR][bB]?|[bB][rR])(?:\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|"[^"\r\n]*"|'[^'\r\n]*')"""
    r"""|[bB]?(?:\"\"\"(?:\\[\s\S]|[^\\])*?\"\"\"|'''(?:\\[\s\S]|[^\\])*?'''"""
    r"""|"(?:\\.|[^"\\\r\n])*"|'(?:\\.|[^'\\\r\n])*')"""
)
_SIZE_CALL: Final = re.compile(r"\bsize(?=\s*\()")

# Messages of object-caused errors carry advice for CEL authors after these markers; users need the
# first sentence only.
_ADVICE_MARKERS: Final = (". Check ", ". CEL does not coerce", ". Convert explicitly")
_UNDEFINED: Final = "Undefined variable or function"


@dataclass(frozen=True)
class CompiledRule:
    """A rule compiled once, with what the evaluator must know before running it."""

    source: str
    program: cel.Program | None
    compile_error: str = ""
    uses_old_self: bool = False
    unsupported: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """The result of running a program: a value, or an error and whose fault it is."""

    kind: Literal["value", "object_error", "library_error"]
    value: Any = None
    detail: str = ""


def _is_operator(name: str) -> bool:
    # Operators are reported as overload ids such as `_&&_`, `!_`, `@in`, `@not_strictly_false`.
    return name.startswith(("_", "@", "!"))


@functools.cache
def compile_rule(source: str) -> CompiledRule:
    """Compile ``source``, once per process: the same rule text recurs across CRDs and versions."""
    try:
        program = cel.compile(_count_characters(source))
    except Exception as exc:  # ValueError today; any failure means "cannot compile"
        # Still tell transition rules apart, so that they are reported as such.
        uses_old_self = re.search(rf"\b{OLD_SELF}\b", source) is not None
        return CompiledRule(
            source, None, compile_error=first_sentence(str(exc)), uses_old_self=uses_old_self
        )
    known = NATIVE_FUNCTIONS | cel_functions.FUNCTIONS.keys() | {SIZE_FUNCTION}
    unsupported = {n for n in program.functions() if not _is_operator(n) and n not in known}
    return CompiledRule(
        source,
        program,
        uses_old_self=OLD_SELF in program.variables(),
        unsupported=tuple(sorted(unsupported)),
    )


def _count_characters(source: str) -> str:
    """``source`` with its ``size(...)`` calls (outside literals) sent to :data:`SIZE_FUNCTION`."""
    parts: list[str] = []
    position = 0
    for literal in _LITERAL.finditer(source):
        parts.append(_SIZE_CALL.sub(SIZE_FUNCTION, source[position : literal.start()]))
        parts.append(literal.group(0))
        position = literal.end()
    parts.append(_SIZE_CALL.sub(SIZE_FUNCTION, source[position:]))
    return "".join(parts)


def _size(value: Any) -> int:
    # Python's len() counts what Kubernetes counts: characters, bytes, list items, map entries.
    return len(value)


def first_sentence(message: str) -> str:
    """Trim a library message to the part that describes the problem."""
    text = message.strip().splitlines()[0] if message.strip() else message
    for marker in _ADVICE_MARKERS:
        text = text.split(marker, 1)[0]
    return text.rstrip(".")


def no_old_self() -> cel.OptionalValue:
    """``oldSelf`` for rules with ``optionalOldSelf: true`` on CREATE: an empty optional."""
    return cel.OptionalValue.none()


class _CallbackFailed:
    """Returned by a failing extension function: the library cannot convert it and raises.

    Raising from the callback instead would make the library log a warning on the ``cel`` logger,
    and the package must not write to the terminal.
    """


class CelRuntime:
    """Runs compiled programs with the extension functions; one instance per thread."""

    def __init__(self) -> None:
        self._callback_errors: list[str] = []
        functions = {**cel_functions.FUNCTIONS, SIZE_FUNCTION: _size}
        self._functions = {name: self._guard(fn) for name, fn in sorted(functions.items())}

    def _guard(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            try:
                return fn(*args)
            except Exception as exc:  # any failure of an extension function is an evaluation error
                self._callback_errors.append(str(exc))
                return _CallbackFailed()

        return call

    def bind(self, variables: Mapping[str, Any]) -> cel.Context:
        """A context with ``variables`` and the extension functions, for one or more runs: the
        library converts the variables once per context, which is most of the cost of a run."""
        return cel.Context(variables=dict(variables), functions=self._functions)

    def run(self, program: cel.Program, variables: Mapping[str, Any] | cel.Context) -> Outcome:
        """Execute ``program``; classify exceptions as the object's fault or the library's."""
        self._callback_errors.clear()
        context = variables if isinstance(variables, cel.Context) else self.bind(variables)
        try:
            return Outcome("value", value=program.execute(context))
        except KeyError as exc:
            return Outcome("object_error", detail=f"no such key: {exc.args[0] if exc.args else ''}")
        except RuntimeError as exc:
            return self._classify_runtime_error(str(exc))
        except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
            return Outcome("object_error", detail=first_sentence(str(exc)))
        except Exception as exc:  # unknown failures are limits of the extension, not the object's
            return Outcome("library_error", detail=first_sentence(str(exc)))

    def _classify_runtime_error(self, message: str) -> Outcome:
        if self._callback_errors:
            return Outcome("object_error", detail=self._callback_errors[0])
        if message.startswith(_UNDEFINED):
            # Raised for an overload the engine lacks (e.g. getHours with a time zone).
            return Outcome("library_error", detail=first_sentence(message))
        return Outcome("object_error", detail=_function_error(message))


_FUNCTION_ERROR: Final = re.compile(r"^Function '([^']+)' error: (.*)$", re.DOTALL)


def _function_error(message: str) -> str:
    match = _FUNCTION_ERROR.match(message.strip())
    if match is None:
        return first_sentence(message)
    return f"{match.group(1)}(): {first_sentence(match.group(2))}"
