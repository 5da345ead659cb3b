"""Options shared by the measures: one name per idea, and the former names for one release.

A limit is ``top=``, grouping columns are ``by=``, one value of a group is
``value=``, and whether copies of one story count once or every time is
``copies="unique" | "all"``. Former names (``top_n=``, ``n=``, ``group=``,
``unique_stories=``) still work for one release and warn.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, Literal

from analysis.errors import ParameterError

Copies = Literal["unique", "all"]


def unique_copies(copies: str) -> bool:
    """
    Return True when ``copies`` asks for one copy per story, False for every copy.

    Examples
    --------
    >>> unique_copies("unique"), unique_copies("all")
    (True, False)
    """
    if copies not in ("unique", "all"):
        raise ParameterError(f"copies must be 'unique' or 'all', got {copies!r}")
    return copies == "unique"


def _copies_from_flag(flag: Any) -> str:
    return "unique" if flag else "all"


#: Former keyword names whose values change as they are renamed (others carry over).
CONVERSIONS: dict[str, Callable[[Any], Any]] = {"unique_stories": _copies_from_flag}


def renamed(**renames: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """
    Accept former keyword names of a function for one release, with a ``DeprecationWarning``.

    ``renames`` maps an old name to the new one; a value converts as
    :data:`CONVERSIONS` says (``unique_stories=True`` becomes
    ``copies="unique"``), else unchanged.

    Examples
    --------
    >>> @renamed(n="top")
    ... def head(items, *, top=2):
    ...     return items[:top]
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     head([1, 2, 3], n=1)
    [1]
    """

    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def accepting(*args: Any, **kwargs: Any) -> Any:
            for old, new in renames.items():
                if old not in kwargs:
                    continue
                if new in kwargs:
                    raise ParameterError(f"{func.__name__}: give {new}= only, not {old}= as well")
                warnings.warn(
                    f"{func.__name__}({old}=...) is deprecated; use {new}=",
                    DeprecationWarning,
                    stacklevel=2,
                )
                value = kwargs.pop(old)
                kwargs[new] = CONVERSIONS[old](value) if old in CONVERSIONS else value
            return func(*args, **kwargs)

        return accepting

    return wrap
