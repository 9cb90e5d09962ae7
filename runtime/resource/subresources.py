"""The subresource mixins of typed clients: ``status``, ``scale``, ``eviction`` and the rest.

    deployments.get_scale("web"); deployments.patch_status("web", {...})
    pods.evict("web-0"); service_accounts.create_token("default", audiences=["api"])

Every method is one call of the generic verbs of
:class:`~kubeset.resource.client.ResourceClient` (``read``, ``write``, ``patch_with``,
``apply_with``) with the subresource's name: client-go's ``Get/Update/Patch(..., subresources)``.
Subresources that carry the resource's own kind (status, ephemeralcontainers, resize, approval,
finalize) decode into its model; scale and token into their own (the descriptor's
``subresource_models``).  Like the verbs (:mod:`.verbs`), each mixin serves the sync and the
asyncio clients (``R``); the overloads say which returns what.
"""

from __future__ import annotations

from collections.abc import Coroutine, Mapping, Sequence
from typing import Any, Generic, TypeAlias, TypedDict, TypeVar, Unpack, overload

from pydantic import BaseModel

from ..rest.aio import AsyncRequest
from ..rest.request import Request
from ..rest.result import Result
from .client import (
    ApplyOptions,
    PatchBody,
    PatchOptions,
    R,
    ResourceClient,
    UpdateOptions,
    delete_options,
    write_params,
)

__all__ = [
    "EvictOptions",
    "HasApproval",
    "HasBinding",
    "HasEphemeralContainers",
    "HasEviction",
    "HasFinalize",
    "HasResize",
    "HasScale",
    "HasStatus",
    "HasToken",
    "TokenOptions",
]

T = TypeVar("T", bound=BaseModel)  # the resource's model (Pod)
S = TypeVar("S", bound=BaseModel)  # a subresource's own model (Scale, Eviction, TokenRequest)
X = TypeVar("X")
Awaited: TypeAlias = Coroutine[Any, Any, X]
Obj: TypeAlias = X | Mapping[str, Any]  # a model or plain JSON data


class _OwnKind(ResourceClient[R], Generic[T, R]):
    """A subresource carrying the resource's own kind: get, update and patch of it."""

    __slots__ = ()

    def _get(self, name: str, sub: str) -> Any:
        return self.read(name, sub)

    def _update(self, obj: Obj[T], sub: str, options: UpdateOptions) -> Any:
        return self.write(obj, sub, **options)

    def _patch(self, name: str, patch: PatchBody, sub: str, options: PatchOptions) -> Any:
        return self.patch_with(name, patch, sub, **options)


class HasStatus(_OwnKind[T, R]):
    """The ``status`` subresource: read and write ``.status`` only."""

    __slots__ = ()

    @overload
    def get_status(self: HasStatus[T, Request], name: str) -> T: ...
    @overload
    def get_status(self: HasStatus[T, AsyncRequest], name: str) -> Awaited[T]: ...
    def get_status(self, name: str) -> Any:
        return self._get(name, "status")

    @overload
    def update_status(
        self: HasStatus[T, Request], obj: Obj[T], **options: Unpack[UpdateOptions]
    ) -> T: ...
    @overload
    def update_status(
        self: HasStatus[T, AsyncRequest], obj: Obj[T], **options: Unpack[UpdateOptions]
    ) -> Awaited[T]: ...
    def update_status(self, obj: Obj[T], **options: Unpack[UpdateOptions]) -> Any:
        """Replace the object's status (PUT .../status); other changes are ignored by the server."""
        return self._update(obj, "status", options)

    @overload
    def patch_status(
        self: HasStatus[T, Request], name: str, patch: PatchBody, **options: Unpack[PatchOptions]
    ) -> T: ...
    @overload
    def patch_status(
        self: HasStatus[T, AsyncRequest],
        name: str,
        patch: PatchBody,
        **options: Unpack[PatchOptions],
    ) -> Awaited[T]: ...
    def patch_status(self, name: str, patch: PatchBody, **options: Unpack[PatchOptions]) -> Any:
        return self._patch(name, patch, "status", options)

    @overload
    def apply_status(
        self: HasStatus[T, Request], obj: Obj[T], **options: Unpack[ApplyOptions]
    ) -> T: ...
    @overload
    def apply_status(
        self: HasStatus[T, AsyncRequest], obj: Obj[T], **options: Unpack[ApplyOptions]
    ) -> Awaited[T]: ...
    def apply_status(self, obj: Obj[T], **options: Unpack[ApplyOptions]) -> Any:
        return self.apply_with(obj, "status", **options)


class HasScale(ResourceClient[R], Generic[S, R]):
    """The ``scale`` subresource (autoscaling/v1 Scale)."""

    __slots__ = ()

    @overload
    def get_scale(self: HasScale[S, Request], name: str) -> S: ...
    @overload
    def get_scale(self: HasScale[S, AsyncRequest], name: str) -> Awaited[S]: ...
    def get_scale(self, name: str) -> Any:
        return self.read(name, "scale", own_kind=False)

    @overload
    def update_scale(
        self: HasScale[S, Request], name: str, scale: Obj[S], **options: Unpack[UpdateOptions]
    ) -> S: ...
    @overload
    def update_scale(
        self: HasScale[S, AsyncRequest], name: str, scale: Obj[S], **options: Unpack[UpdateOptions]
    ) -> Awaited[S]: ...
    def update_scale(self, name: str, scale: Obj[S], **options: Unpack[UpdateOptions]) -> Any:
        return self.write(scale, "scale", name=name, own_kind=False, **options)

    @overload
    def patch_scale(
        self: HasScale[S, Request], name: str, patch: PatchBody, **options: Unpack[PatchOptions]
    ) -> S: ...
    @overload
    def patch_scale(
        self: HasScale[S, AsyncRequest],
        name: str,
        patch: PatchBody,
        **options: Unpack[PatchOptions],
    ) -> Awaited[S]: ...
    def patch_scale(self, name: str, patch: PatchBody, **options: Unpack[PatchOptions]) -> Any:
        return self.patch_with(name, patch, "scale", own_kind=False, **options)


class HasEphemeralContainers(_OwnKind[T, R]):
    """The ``ephemeralcontainers`` subresource of pods (debug containers)."""

    __slots__ = ()

    @overload
    def get_ephemeral_containers(self: HasEphemeralContainers[T, Request], name: str) -> T: ...
    @overload
    def get_ephemeral_containers(
        self: HasEphemeralContainers[T, AsyncRequest], name: str
    ) -> Awaited[T]: ...
    def get_ephemeral_containers(self, name: str) -> Any:
        return self._get(name, "ephemeralcontainers")

    @overload
    def update_ephemeral_containers(
        self: HasEphemeralContainers[T, Request], obj: Obj[T], **options: Unpack[UpdateOptions]
    ) -> T: ...
    @overload
    def update_ephemeral_containers(
        self: HasEphemeralContainers[T, AsyncRequest], obj: Obj[T], **options: Unpack[UpdateOptions]
    ) -> Awaited[T]: ...
    def update_ephemeral_containers(self, obj: Obj[T], **options: Unpack[UpdateOptions]) -> Any:
        return self._update(obj, "ephemeralcontainers", options)

    @overload
    def patch_ephemeral_containers(
        self: HasEphemeralContainers[T, Request],
        name: str,
        patch: PatchBody,
        **options: Unpack[PatchOptions],
    ) -> T: ...
    @overload
    def patch_ephemeral_containers(
        self: HasEphemeralContainers[T, AsyncRequest],
        name: str,
        patch: PatchBody,
        **options: Unpack[PatchOptions],
    ) -> Awaited[T]: ...
    def patch_ephemeral_containers(
        self, name: str, patch: PatchBody, **options: Unpack[PatchOptions]
    ) -> Any:
        return self._patch(name, patch, "ephemeralcontainers", options)


class HasResize(_OwnKind[T, R]):
    """The ``resize`` subresource of pods (in-place resource changes)."""

    __slots__ = ()

    @overload
    def get_resize(self: HasResize[T, Request], name: str) -> T: ...
    @overload
    def get_resize(self: HasResize[T, AsyncRequest], name: str) -> Awaited[T]: ...
    def get_resize(self, name: str) -> Any:
        return self._get(name, "resize")

    @overload
    def update_resize(
        self: HasResize[T, Request], obj: Obj[T], **options: Unpack[UpdateOptions]
    ) -> T: ...
    @overload
    def update_resize(
        self: HasResize[T, AsyncRequest], obj: Obj[T], **options: Unpack[UpdateOptions]
    ) -> Awaited[T]: ...
    def update_resize(self, obj: Obj[T], **options: Unpack[UpdateOptions]) -> Any:
        return self._update(obj, "resize", options)

    @overload
    def patch_resize(
        self: HasResize[T, Request], name: str, patch: PatchBody, **options: Unpack[PatchOptions]
    ) -> T: ...
    @overload
    def patch_resize(
        self: HasResize[T, AsyncRequest],
        name: str,
        patch: PatchBody,
        **options: Unpack[PatchOptions],
    ) -> Awaited[T]: ...
    def patch_resize(self, name: str, patch: PatchBody, **options: Unpack[PatchOptions]) -> Any:
        return self._patch(name, patch, "resize", options)


class HasApproval(_OwnKind[T, R]):
    """The ``approval`` subresource of CertificateSigningRequests."""

    __slots__ = ()

    @overload
    def get_approval(self: HasApproval[T, Request], name: str) -> T: ...
    @overload
    def get_approval(self: HasApproval[T, AsyncRequest], name: str) -> Awaited[T]: ...
    def get_approval(self, name: str) -> Any:
        return self._get(name, "approval")

    @overload
    def update_approval(
        self: HasApproval[T, Request], obj: Obj[T], **options: Unpack[UpdateOptions]
    ) -> T: ...
    @overload
    def update_approval(
        self: HasApproval[T, AsyncRequest], obj: Obj[T], **options: Unpack[UpdateOptions]
    ) -> Awaited[T]: ...
    def update_approval(self, obj: Obj[T], **options: Unpack[UpdateOptions]) -> Any:
        """Write ``status.conditions`` (Approved / Denied) of a CSR."""
        return self._update(obj, "approval", options)

    @overload
    def patch_approval(
        self: HasApproval[T, Request], name: str, patch: PatchBody, **options: Unpack[PatchOptions]
    ) -> T: ...
    @overload
    def patch_approval(
        self: HasApproval[T, AsyncRequest],
        name: str,
        patch: PatchBody,
        **options: Unpack[PatchOptions],
    ) -> Awaited[T]: ...
    def patch_approval(self, name: str, patch: PatchBody, **options: Unpack[PatchOptions]) -> Any:
        return self._patch(name, patch, "approval", options)


class HasFinalize(_OwnKind[T, R]):
    """The ``finalize`` subresource of namespaces (PUT ``spec.finalizers``)."""

    __slots__ = ()

    @overload
    def finalize(
        self: HasFinalize[T, Request], obj: Obj[T], **options: Unpack[UpdateOptions]
    ) -> T: ...
    @overload
    def finalize(
        self: HasFinalize[T, AsyncRequest], obj: Obj[T], **options: Unpack[UpdateOptions]
    ) -> Awaited[T]: ...
    def finalize(self, obj: Obj[T], **options: Unpack[UpdateOptions]) -> Any:
        return self._update(obj, "finalize", options)


def _nothing(result: Result) -> None:
    return None


class EvictOptions(TypedDict, total=False):
    """How a pod is evicted when no Eviction is given."""

    grace_period_seconds: int | None
    dry_run: bool


class HasEviction(ResourceClient[R], Generic[S, R]):
    """The ``eviction`` subresource of pods (respects PodDisruptionBudgets: 429 when not allowed)."""

    __slots__ = ()

    @overload
    def evict(
        self: HasEviction[S, Request],
        name: str,
        eviction: Obj[S] | None = ...,
        **options: Unpack[EvictOptions],
    ) -> None: ...
    @overload
    def evict(
        self: HasEviction[S, AsyncRequest],
        name: str,
        eviction: Obj[S] | None = ...,
        **options: Unpack[EvictOptions],
    ) -> Awaited[None]: ...
    def evict(
        self, name: str, eviction: Obj[S] | None = None, **options: Unpack[EvictOptions]
    ) -> Any:
        """Evict ``name`` (POST .../eviction). Without ``eviction`` a policy/v1 Eviction is built."""
        body: Any = eviction
        dry_run = options.get("dry_run", False)
        if eviction is None:
            body = {
                "apiVersion": "policy/v1",
                "kind": "Eviction",
                "metadata": {"name": name, "namespace": self._namespace_for(required=True)},
            }
            opts = delete_options(options.get("grace_period_seconds"), None, None, dry_run)
            if opts is not None:
                body["deleteOptions"] = opts
        req = self.request("POST", name, "eviction").body(body)
        return write_params(req, dry_run).do_then(_nothing)


class HasBinding(ResourceClient[R], Generic[S, R]):
    """The ``binding`` subresource of pods (what a scheduler posts)."""

    __slots__ = ()

    @overload
    def bind(
        self: HasBinding[S, Request], name: str, binding: Obj[S], *, dry_run: bool = ...
    ) -> None: ...
    @overload
    def bind(
        self: HasBinding[S, AsyncRequest], name: str, binding: Obj[S], *, dry_run: bool = ...
    ) -> Awaited[None]: ...
    def bind(self, name: str, binding: Obj[S], *, dry_run: bool = False) -> Any:
        req = self.request("POST", name, "binding").body(binding)
        return write_params(req, dry_run).do_then(_nothing)


class TokenOptions(TypedDict, total=False):
    """The TokenRequest built when none is given."""

    audiences: Sequence[str] | None
    expiration_seconds: int | None
    dry_run: bool


class HasToken(ResourceClient[R], Generic[S, R]):
    """The ``token`` subresource of service accounts (TokenRequest)."""

    __slots__ = ()

    @overload
    def create_token(
        self: HasToken[S, Request],
        name: str,
        token_request: Obj[S] | None = ...,
        **options: Unpack[TokenOptions],
    ) -> S: ...
    @overload
    def create_token(
        self: HasToken[S, AsyncRequest],
        name: str,
        token_request: Obj[S] | None = ...,
        **options: Unpack[TokenOptions],
    ) -> Awaited[S]: ...
    def create_token(
        self, name: str, token_request: Obj[S] | None = None, **options: Unpack[TokenOptions]
    ) -> Any:
        """Request a token for service account ``name``; the answer's ``status.token`` holds it."""
        body: Any = token_request
        if token_request is None:
            spec: dict[str, Any] = {}
            audiences = options.get("audiences")
            if audiences is not None:
                spec["audiences"] = list(audiences)
            expiration = options.get("expiration_seconds")
            if expiration is not None:
                spec["expirationSeconds"] = expiration
            body = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec}
        req = self.request("POST", name, "token").body(body)
        model = self.descriptor.subresource_model("token")
        return write_params(req, options.get("dry_run", False)).into(model)
