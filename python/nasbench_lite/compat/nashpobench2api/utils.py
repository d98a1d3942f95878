"""``nashpobench2api.utils``: read or replace the operation of one edge of a cell code.

A cell code ``'A|BC|DEF'`` lists the operation digits of the six edges; edge ``i`` (0..5) sits
at string position ``i`` plus the number of ``'|'`` before it. As in the official helpers there
is no validation: any string and index (negative ones count from the end, as list indexes do)
are used as given.
"""

from __future__ import annotations

__all__ = ["get_ith_op", "set_ith_op"]


def _position(i: int) -> int:
    """String position of edge ``i``: one ``'|'`` before edges 1-2, two before edges 3-5."""
    return i + (i >= 1) + (i >= 3)


def get_ith_op(cellcode: str, i: int) -> int:
    """The operation digit of edge ``i`` of ``cellcode``.

    Args:
        cellcode: ``'A|BC|DEF'``.
        i: Edge number 0..5.

    Returns:
        The digit as an int.

    Raises:
        IndexError: ``i`` beyond the code.
        ValueError: The character there is not a digit.
    """
    return int(cellcode[_position(i)])


def set_ith_op(cellcode: str, i: int, new_op: int) -> str:
    """``cellcode`` with the operation of edge ``i`` replaced by ``new_op``.

    Args:
        cellcode: ``'A|BC|DEF'``.
        i: Edge number 0..5.
        new_op: The new operation (written with ``str()``).

    Returns:
        The new code (the argument is not changed).

    Raises:
        IndexError: ``i`` beyond the code.
    """
    characters = list(cellcode)
    characters[_position(i)] = str(new_op)
    return "".join(characters)
