"""The subresource mixins of typed clients: ``status``, ``scale``, ``eviction`` and the rest.

    deployments.get_scale("web"); deployments.patch_status("web", {...})
    pods.evict("web-0"); service_accounts.create_token("default", audiences=["api"])

Every method is one call of the generic verbs of
:class:`~kubeset.resource.client.ResourceClient` (``read``, ``write``, ``patch_with``,
``apply_with``) with the subresource's name: client-go's ``Get/Update/Patch(..., subresources)``.
Subresources that carry the resource's own kind (status, ephemeralcontainers, resize, approval,
finalize) decode into its model; scale and token into their own (the descriptor's
``subresource_models``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar, Unpack

from pydantic import BaseModel

from .client import (
    ApplyOptions,
    PatchBody,
    PatchOptions,
    ResourceClient,
    UpdateOptions,
    delete_options,
    write_params,
)

__all__ = [
    "HasApproval",
    "HasBinding",
    "HasEphemeralContainers",
    "HasEviction",
    "HasFinalize",
    "HasResize",
    "HasScale",
    "HasStatus",
    "HasToken",
]

T = TypeVar("T", bound=BaseModel)  # the resource's model (Pod)
S = TypeVar("S", bound=BaseModel)  # a subresource's own model (Scale, Eviction, TokenRequest)


class HasStatus(ResourceClient, Generic[T]):
    """The ``status`` subresource: read and write ``.status`` only."""

    __slots__ = ()

    def get_status(self, name: str) -> T:
        return self.read(name, "status")  # type: ignore[no-any-return]

    def update_status(self, obj: T | Mapping[str, Any], **options: Unpack[UpdateOptions]) -> T:
        """Replace the object's status (PUT .../status); other changes are ignored by the server."""
        return self.write(obj, "status", **options)  # type: ignore[no-any-return]

    def patch_status(self, name: str, patch: PatchBody, **options: Unpack[PatchOptions]) -> T:
        return self.patch_with(name, patch, "status", **options)  # type: ignore[no-any-return]

    def apply_status(self, obj: T | Mapping[str, Any], **options: Unpack[ApplyOptions]) -> T:
        return self.apply_with(obj, "status", **options)  # type: ignore[no-any-return]


class HasScale(ResourceClient, Generic[S]):
    """The ``scale`` subresource (autoscaling/v1 Scale)."""

    __slots__ = ()

    def get_scale(self, name: str) -> S:
        return self.read(name, "scale", own_kind=False)  # type: ignore[no-any-return]

    def update_scale(
        self, name: str, scale: S | Mapping[str, Any], **options: Unpack[UpdateOptions]
    ) -> S:
        return self.write(scale, "scale", name=name, own_kind=False, **options)  # type: ignore[no-any-return]

    def patch_scale(self, name: str, patch: PatchBody, **options: Unpack[PatchOptions]) -> S:
        return self.patch_with(name, patch, "scale", own_kind=False, **options)  # type: ignore[no-any-return]


class HasEphemeralContainers(ResourceClient, Generic[T]):
    """The ``ephemeralcontainers`` subresource of pods (debug containers)."""

    __slots__ = ()

    def get_ephemeral_containers(self, name: str) -> T:
        return self.read(name, "ephemeralcontainers")  # type: ignore[no-any-return]

    def update_ephemeral_containers(
        self, obj: T | Mapping[str, Any], **options: Unpack[UpdateOptions]
    ) -> T:
        return self.write(obj, "ephemeralcontainers", **options)  # type: ignore[no-any-return]

    def patch_ephemeral_containers(
        self, name: str, patch: PatchBody, **options: Unpack[PatchOptions]
    ) -> T:
        return self.patch_with(name, patch, "ephemeralcontainers", **options)  # type: ignore[no-any-return]


class HasResize(ResourceClient, Generic[T]):
    """The ``resize`` subresource of pods (in-place resource changes)."""

    __slots__ = ()

    def get_resize(self, name: str) -> T:
        return self.read(name, "resize")  # type: ignore[no-any-return]

    def update_resize(self, obj: T | Mapping[str, Any], **options: Unpack[UpdateOptions]) -> T:
        return self.write(obj, "resize", **options)  # type: ignore[no-any-return]

    def patch_resize(self, name: str, patch: PatchBody, **options: Unpack[PatchOptions]) -> T:
        return self.patch_with(name, patch, "resize", **options)  # type: ignore[no-any-return]


class HasApproval(ResourceClient, Generic[T]):
    """The ``approval`` subresource of CertificateSigningRequests."""

    __slots__ = ()

    def get_approval(self, name: str) -> T:
        return self.read(name, "approval")  # type: ignore[no-any-return]

    def update_approval(self, obj: T | Mapping[str, Any], **options: Unpack[UpdateOptions]) -> T:
        """Write ``status.conditions`` (Approved / Denied) of a CSR."""
        return self.write(obj, "approval", **options)  # type: ignore[no-any-return]

    def patch_approval(self, name: str, patch: PatchBody, **options: Unpack[PatchOptions]) -> T:
        return self.patch_with(name, patch, "approval", **options)  # type: ignore[no-any-return]


class HasFinalize(ResourceClient, Generic[T]):
    """The ``finalize`` subresource of namespaces (PUT ``spec.finalizers``)."""

    __slots__ = ()

    def finalize(self, obj: T | Mapping[str, Any], **options: Unpack[UpdateOptions]) -> T:
        return self.write(obj, "finalize", **options)  # type: ignore[no-any-return]


class HasEviction(ResourceClient, Generic[S]):
    """The ``eviction`` subresource of pods (respects PodDisruptionBudgets: 429 when not allowed)."""

    __slots__ = ()

    def evict(
        self,
        name: str,
        eviction: S | Mapping[str, Any] | None = None,
        *,
        grace_period_seconds: int | None = None,
        dry_run: bool = False,
    ) -> None:
        """Evict ``name`` (POST .../eviction). Without ``eviction`` a policy/v1 Eviction is built."""
        body: Any = eviction
        if eviction is None:
            body = {
                "apiVersion": "policy/v1",
                "kind": "Eviction",
                "metadata": {"name": name, "namespace": self._namespace_for(required=True)},
            }
            opts = delete_options(grace_period_seconds, None, None, dry_run)
            if opts is not None:
                body["deleteOptions"] = opts
        req = self.request("POST", name, "eviction").body(body)
        write_params(req, dry_run).do()


class HasBinding(ResourceClient, Generic[S]):
    """The ``binding`` subresource of pods (what a scheduler posts)."""

    __slots__ = ()

    def bind(self, name: str, binding: S | Mapping[str, Any], *, dry_run: bool = False) -> None:
        req = self.request("POST", name, "binding").body(binding)
        write_params(req, dry_run).do()


class HasToken(ResourceClient, Generic[S]):
    """The ``token`` subresource of service accounts (TokenRequest)."""

    __slots__ = ()

    def create_token(
        self,
        name: str,
        token_request: S | Mapping[str, Any] | None = None,
        *,
        audiences: Sequence[str] | None = None,
        expiration_seconds: int | None = None,
        dry_run: bool = False,
    ) -> S:
        """Request a token for service account ``name``; the answer's ``status.token`` holds it."""
        body: Any = token_request
        if token_request is None:
            spec: dict[str, Any] = {}
            if audiences is not None:
                spec["audiences"] = list(audiences)
            if expiration_seconds is not None:
                spec["expirationSeconds"] = expiration_seconds
            body = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec}
        req = self.request("POST", name, "token").body(body)
        model = self.descriptor.subresource_model("token")
        return write_params(req, dry_run).do().into(model)  # type: ignore[return-value]
