"""The special types that are plain Python type aliases: union scalars and free-form JSON.

They need no validation of their own: pydantic keeps the value exactly as sent.

==================  ===========================================================================
``IntOrString``     ``int | str``, kept exactly as sent (``8080`` stays an int, ``"http"`` a str)
``Number``          ``int | float`` (a JSON ``1`` stays ``1``, ``1.5`` stays ``1.5``)
``JSON``,           any JSON value, kept as is (``runtime.RawExtension``, the apiextensions
``RawExtension``    ``JSON`` and ``JSONSchemaPropsOr*`` types)
==================  ===========================================================================

Usage::

    from kubeset.model import IntOrString, KubeModel

    class ServicePort(KubeModel):
        target_port: IntOrString | None = None
"""

from typing import Any

__all__ = ["JSON", "IntOrString", "Number", "RawExtension"]

IntOrString = int | str
"""A port number or name, a count or a percentage: kept as sent."""

Number = int | float
"""A JSON number (``format: double``); ints stay ints."""

JSON = Any
"""Any JSON value, kept as is."""

RawExtension = Any
"""An embedded object of any kind (``runtime.RawExtension``), kept as is.

``metav1.FieldsV1`` is a type of its own: :mod:`kubeset.model.rawjson`."""
