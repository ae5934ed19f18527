"""Four-eyes approval: where a landing zone asks for it, a create or promotion into run, or a change to
a run connector's configuration, waits as a change request until another admin of the tenant (not its
author) approves or declines it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from connectors.models import Connector
from connectors.services.admission import Admission, ChangeHeld
from connectors.services.commands import connector_apply_spec, connector_create
from connectors.spec import ConnectorSpec
from connectors.state_machine import State
from controlplane.exceptions import Conflict, PermissionDenied, ValidationFailed
from controlplane.naming import connector_name
from governance.exceptions import PromotionGateClosed, TargetChanged
from governance.models import ChangeRequest
from governance.selectors import policy_for, run_gate
from governance.services.specs import spec_from_stored, spec_to_stored
from monitoring.services.notices import notice_to_tenant
from tenants.models import ApiKey, Cluster

RUN = "run"
NO_TARGET = object()  # a create: there is no connector to compare on approval


MAX_KEY_HOPS = 10


def principal_of(actor: str) -> str:
    """The person behind an actor: an API key stands for whoever created it (a key made with a key,
    for whoever made that one)."""
    seen = set()
    while actor.startswith("api_key:") and actor not in seen and len(seen) < MAX_KEY_HOPS:
        seen.add(actor)
        key = ApiKey.objects.filter(prefix=actor.removeprefix("api_key:")).select_related("created_by").first()
        if key is None or not key.creator:
            break
        actor = key.creator
    return actor


def approval_required(*, stage: str, cluster: Cluster) -> bool:
    return stage == RUN and policy_for(cluster=cluster).four_eyes


def change_request_snapshot(change_request: ChangeRequest) -> dict:
    return {
        "kind": change_request.kind,
        "target": change_request.target_name,
        "source": change_request.source_name,
        "status": change_request.status,
        "author": change_request.author,
        "decided_by": change_request.decided_by,
        "reason": change_request.reason,
        "spec": change_request.spec,
    }


@transaction.atomic
def change_request_open(
    *,
    kind: str,
    spec: ConnectorSpec,
    target_name: str,
    actor: str,
    source_name: str = "",
    desired_state="running",
    target: Connector | None | object = NO_TARGET,
) -> ChangeRequest:
    """`target`: for a promotion or an update, the connector it changes as it is now (None: none yet),
    so that approval can tell whether it changed meanwhile."""
    fields, secrets_encrypted = spec_to_stored(spec)
    recorded = {}
    if target is not NO_TARGET:
        recorded = {
            "target_pk": target.pk if target is not None else None,
            "target_generation": target.generation if target is not None else 0,
        }
    change_request = ChangeRequest.objects.create(
        tenant=spec.tenant,
        kind=kind,
        target_name=target_name,
        source_name=source_name,
        spec=fields,
        secrets_encrypted=secrets_encrypted,
        desired_state=desired_state,
        **recorded,
        author=actor,
        author_principal=principal_of(actor),
    )
    audit_record(
        action="change_request.create",
        object_type="change_request",
        object_id=change_request.pk,
        tenant=spec.tenant,
        actor=actor,
        after=change_request_snapshot(change_request),
        secrets=spec.credentials.values(),
    )
    return change_request


def held_change_body(change_request: ChangeRequest) -> dict:
    return {
        "code": "approval_required",
        "message": f"Change request {change_request.pk} waits for another admin of tenant "
        f"{change_request.tenant.slug} to approve it; nothing is provisioned until then.",
        "change_request": {
            "id": change_request.pk,
            "kind": change_request.kind,
            "status": change_request.status,
            "target": change_request.target_name,
        },
    }


def hold_for_approval(admission: Admission, actor: str) -> None:
    """The hold registered with the connector services: on a four-eyes landing zone, a create into run
    or a change to a run connector's configuration (its operations, pause to delete, are not held:
    on-call needs them at once)."""
    if not approval_required(stage=admission.spec.stage, cluster=admission.cluster):
        return
    if admission.action == "create":
        cluster = admission.cluster
        name = connector_name(
            business_unit=admission.spec.tenant.slug,
            stage=admission.spec.stage,
            connector_id=admission.spec.connector_id,
            landing_zone=cluster.landing_zone.slug if cluster.is_shared else None,
        )
        change_request = change_request_open(
            kind=ChangeRequest.Kind.CREATE, spec=admission.spec, target_name=name, actor=actor
        )
    elif admission.action == "update" and admission.existing is not None:
        change_request = change_request_open(
            kind=ChangeRequest.Kind.UPDATE,
            spec=admission.spec,
            target_name=admission.existing.name,
            actor=actor,
            # An apply may ask for a new desired state with the spec: both wait, and are carried out
            # together; the one it already has is not recorded, so approval leaves the connector's own
            # (say, paused by on-call meanwhile, which does not change its generation).
            desired_state=""
            if admission.desired_state == admission.existing.desired_state
            else admission.desired_state,
            target=admission.existing,
        )
    else:
        return
    body = held_change_body(change_request)
    raise ChangeHeld(body["message"], change_request=body["change_request"])


def _lock_pending(change_request: ChangeRequest, *, actor: str) -> ChangeRequest:
    locked = ChangeRequest.objects.select_for_update().select_related("tenant").get(pk=change_request.pk)
    if locked.status != ChangeRequest.Status.PENDING:
        raise Conflict(
            f"Change request {locked.pk} is already {locked.status}.", errors={"status": [f"is {locked.status}"]}
        )
    if principal_of(actor) == locked.author_principal:
        raise PermissionDenied("Four eyes: the author of a change request cannot approve or decline it.")
    return locked


def _decide(change_request: ChangeRequest, *, actor: str, status: str, reason: str) -> ChangeRequest:
    """Record the decision on the locked, pending change request, with its audit row."""
    before = change_request_snapshot(change_request)
    change_request.status = status
    change_request.decided_by = actor
    change_request.decided_at = timezone.now()
    change_request.reason = reason
    change_request.secrets_encrypted = ""  # decided: the credentials it carried are needed no more
    change_request.save(update_fields=["status", "decided_by", "decided_at", "reason", "secrets_encrypted"])
    audit_record(
        action=f"change_request.{'approve' if status == ChangeRequest.Status.APPROVED else 'decline'}",
        object_type="change_request",
        object_id=change_request.pk,
        tenant=change_request.tenant,
        actor=actor,
        before=before,
        after=change_request_snapshot(change_request),
    )
    return change_request


def _promotion_still_holds(change_request: ChangeRequest, *, spec: ConnectorSpec) -> None:
    """The qas connector a promotion was asked from still passes the run gate."""
    source = (
        Connector.objects.filter(tenant=change_request.tenant, name=change_request.source_name)
        .exclude(state=State.DELETED)
        .first()
    )
    if source is None:
        raise Conflict(
            f"{change_request.source_name} no longer exists: decline this request.",
            errors={"source": [f"{change_request.source_name} is deleted"]},
        )
    cluster = Cluster.objects.filter(name=spec.cluster_name).select_related("landing_zone").first()
    if cluster is not None:
        gate = run_gate(source=source, target_cluster=cluster)
        if not gate.passed:
            raise PromotionGateClosed(
                f"{source.name} cannot be promoted to run now: {gate.reason}.", errors={"gate": [gate.reason]}
            )


def _target_unchanged(change_request: ChangeRequest, *, target: Connector | None) -> None:
    """The run connector has not changed since the request was opened: applying the stored spec would
    silently revert that change."""
    if change_request.target_generation is None:
        return  # a request opened before the target's generation was recorded
    now = target.generation if target is not None else 0
    same_connector = (target.pk if target is not None else None) == change_request.target_pk
    if now == change_request.target_generation and same_connector:
        return
    if target is None:
        change = "was deleted"
    elif change_request.target_generation == 0:
        change = "was created"
    else:
        change = "was changed" if same_connector else "was deleted and created again"
    raise TargetChanged(
        f"{change_request.target_name} {change} since this request was opened: decline it and ask again.",
        errors={"target": [f"{change} (generation {change_request.target_generation} then, {now} now)"]},
    )


@transaction.atomic
def change_request_approve(*, change_request: ChangeRequest, actor: str, reason: str = "") -> ChangeRequest:
    """Approve and carry out the change (quotas, and for a promotion the run gate, are checked again;
    a promotion or update never overwrites a change made to its target since); a refusal leaves it pending."""
    locked = _lock_pending(change_request, actor=actor)
    spec = spec_from_stored(tenant=locked.tenant, fields=locked.spec, secrets_encrypted=locked.secrets_encrypted)
    existing = (
        Connector.objects.filter(tenant=locked.tenant, name=locked.target_name).exclude(state=State.DELETED).first()
    )
    if locked.kind == ChangeRequest.Kind.PROMOTE:
        _promotion_still_holds(locked, spec=spec)
    if locked.kind in (ChangeRequest.Kind.PROMOTE, ChangeRequest.Kind.UPDATE):
        _target_unchanged(locked, target=existing)
    if existing is not None and locked.kind in (ChangeRequest.Kind.PROMOTE, ChangeRequest.Kind.UPDATE):
        connector_apply_spec(
            connector=existing,
            spec=spec,
            actor=locked.author,
            action=locked.kind,
            approved=True,
            desired_state=locked.desired_state if locked.kind == ChangeRequest.Kind.UPDATE else "",
        )
    else:
        connector_create(spec=spec, actor=locked.author, desired_state=locked.desired_state, approved=True)
    return _decide(locked, actor=actor, status=ChangeRequest.Status.APPROVED, reason=reason)


@transaction.atomic
def change_request_decline(*, change_request: ChangeRequest, actor: str, reason: str) -> ChangeRequest:
    """Decline with a reason, which its author reads; nothing is provisioned."""
    if not reason.strip():
        raise ValidationFailed({"reason": ["say why the change is declined: its author reads it"]})
    locked = _lock_pending(change_request, actor=actor)
    declined = _decide(locked, actor=actor, status=ChangeRequest.Status.DECLINED, reason=reason)
    _tell_author(declined)
    return declined


def _tell_author(change_request: ChangeRequest) -> None:
    """The author reads the reason on the change request, and the tenant's alert channels carry it too."""
    what = f"{change_request.kind} of {change_request.target_name}"
    notice_to_tenant(
        tenant=change_request.tenant,
        subject=f"[{change_request.tenant.slug}] change request {change_request.pk} declined: {what}",
        text=(
            f"Change request {change_request.pk} ({what}), asked by {change_request.author}, was declined by "
            f"{change_request.decided_by}: {change_request.reason}\nNothing was provisioned."
        ),
        payload={
            "event": "change_request.declined",
            "tenant": change_request.tenant.slug,
            "change_request": {
                "id": change_request.pk,
                "kind": change_request.kind,
                "target": change_request.target_name,
                "author": change_request.author,
                "decided_by": change_request.decided_by,
                "reason": change_request.reason,
            },
        },
    )
