"""kubeset.model: the base of every generated model and the special Kubernetes field types.

Generated code imports everything it declares with from here (``from kubeset.model import
KubeModel, Quantity, Time, alias``); each name lives in the module that owns its concern:

==================  ==================  =====================================================
``base``            ``KubeModel``,      the model base: names, optional fields, unknown fields
                    ``alias``           kept, apiVersion/kind filled in on construction
``quantity``        ``Quantity``,       resource quantities (``"500m"``, ``"1Gi"``) and their
                    ``parse_quantity``, exact ``Decimal`` value
                    ``compare_quantities``
``time``            ``Time``,           RFC 3339 timestamps (``MicroTime``: six fraction digits)
                    ``MicroTime``
``binary``          ``Base64Bytes``     ``bytes`` in Python, standard base64 on the wire
``aliases``         ``IntOrString``,    plain aliases: kept exactly as sent
                    ``Number``, ``JSON``,
                    ``RawExtension``
``rawjson``         ``FieldsV1``        managedFields' field sets: the server's JSON bytes,
                                        a read-only Mapping parsed on read
==================  ==================  =====================================================

Usage::

    from kubeset.model import KubeModel, Quantity, alias, parse_quantity

    class Limits(KubeModel):
        cpu: Quantity | None = None
        ephemeral_storage: Quantity | None = alias("ephemeral-storage")

    parse_quantity(Limits(cpu="500m").cpu or "0")  # Decimal("0.500")
"""

from .aliases import JSON, IntOrString, Number, RawExtension
from .base import KubeModel, alias
from .binary import Base64Bytes
from .lazy import Nullable
from .quantity import Quantity, compare_quantities, parse_quantity
from .rawjson import FieldsV1
from .time import MicroTime, Time

__all__ = [
    "JSON",
    "Base64Bytes",
    "FieldsV1",
    "IntOrString",
    "KubeModel",
    "MicroTime",
    "Nullable",
    "Number",
    "Quantity",
    "RawExtension",
    "Time",
    "alias",
    "compare_quantities",
    "parse_quantity",
]
