"""Pickling moto's model objects for the state file.

moto's objects are plain Python except for a few fields that cannot be pickled (locks,
spooled temporary files) or that are not state (an S3 object's bytes are stored apart).
``freeze`` pickles an object without such fields; ``thaw`` rebuilds it without calling
its constructor (which would draw new ids, timestamps or keys) and lets the caller put
fresh values in those fields. Private keys (KMS's asymmetric keys) are pickled as DER.
"""

from __future__ import annotations

import io
import pickle
from typing import Any

from cryptography.hazmat.primitives import serialization


def _load_private_key(der: bytes) -> Any:
    return serialization.load_der_private_key(der, password=None)


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if hasattr(obj, "private_bytes") and hasattr(obj, "public_key"):
            der = obj.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            return _load_private_key, (der,)
        return NotImplemented


def dumps(value: Any) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def loads(data: bytes) -> Any:
    return pickle.loads(data)  # noqa: S301 - our own state file, owner-only


def freeze(obj: Any, without: tuple[str, ...] = ()) -> bytes:
    """``obj``'s class and fields, less ``without``."""
    fields = {k: v for k, v in vars(obj).items() if k not in without}
    return dumps((type(obj), fields))


def thaw(data: bytes, **fresh: Any) -> Any:
    """The object ``freeze`` stored, with ``fresh`` fields set."""
    cls, fields = loads(data)
    obj = cls.__new__(cls)
    vars(obj).update(fields)
    vars(obj).update(fresh)
    return obj
