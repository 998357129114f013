"""The Socket.IO packet class the server encodes with: python-socketio's, with a faster test
for binary attachments.

python-socketio asks, for every packet it builds, whether its data holds bytes, by a recursion
that visits every value without stopping early (`functools.reduce` over a list built per
level). A `join` answer or a `presence` list of a 500-member room is ~1,500 values: that test
was 12 % of the server's CPU while 500 members joined (py-spy, docs/performance.md). The
answer is the same (bytes or bytearray anywhere in nested lists and dicts); only the walk is
iterative and stops at the first.
"""

from __future__ import annotations

from typing import Any

from socketio import packet

_CONTAINERS = (list, dict)
_BINARY = (bytes, bytearray)


class Packet(packet.Packet):  # type: ignore[misc]  # python-socketio is untyped
    @classmethod
    def data_is_binary(cls, data: Any) -> bool:
        """Whether `data` holds bytes or a bytearray, at any depth of lists and dicts."""
        stack = [data]
        while stack:
            item = stack.pop()
            kind = type(item)
            if kind is str or kind is int:
                continue
            if kind is list:
                stack.extend(item)
            elif kind is dict:
                stack.extend(item.values())
            elif isinstance(item, _BINARY):
                return True
            elif isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                stack.extend(item.values())
        return False
