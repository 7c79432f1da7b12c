"""Shiftwork's extension of moto's Redshift, then moto's own server (same CLI: -H host -p port).

Adds what Shiftwork's pipelines call and moto lacks, and enforces the AWS rules they depend on, with AWS's
error codes (Redshift API reference, https://docs.aws.amazon.com/redshift/latest/APIReference/):
- CopyClusterSnapshot (automated source in the available state -> manual copy, ManualSnapshotRetentionPeriod);
- ManualSnapshotRetentionPeriod on CreateClusterSnapshot (-1 or 1..3653, else InvalidRetentionPeriod);
- cluster state preconditions (snapshot/pause/modify/delete need `available`, resume needs `paused`) ->
  InvalidClusterState; restore needs an `available` snapshot -> InvalidClusterSnapshotState;
- transitional states computed lazily from a stored deadline: creating, pausing, resuming, deleting (the
  cluster answers until it is gone), snapshot creating;
- automated snapshots: one when a cluster becomes available, then one every automatedSnapshotSeconds while it
  is available, removed after the cluster's AutomatedSnapshotRetentionPeriod (days) and with the cluster;
- DescribeClusterSnapshots: ClusterIdentifier, SnapshotIdentifier, SnapshotType, TagKeys/TagValues, StartTime,
  EndTime, ClusterExists, SortingEntities, MaxRecords (20..100) and Marker paging;
- hooks: JSON POSTs to the local Redshift (best effort) after snapshot/copy/delete/restore/cluster changes.
DynamoDB: one request at a time. moto checks a ConditionExpression and then writes, and its threaded server
can switch threads in between: two concurrent conditional PutItems on one key could both succeed (seen: 5 of
60 races of 6 puts with a small switch interval), where AWS applies a conditional write atomically. Leases and
Idempotency-Keys stand on that atomicity, so every DynamoDB action runs under one lock here.

Control endpoint (kept across POST /moto-api/reset): GET/POST /_shiftwork/config
  {"transitionSeconds": 1.0, "snapshotSeconds": 0.5, "automatedSnapshotSeconds": 28800,
   "redshiftHook": "http://127.0.0.1:PORT"}
Request counts (tests count the calls a fleet of replicas made, refused ones included): GET /_shiftwork/calls
  {"calls": {"PauseCluster": {"<cluster>": 1}, ...}, "delaying": 0}; POST /_shiftwork/calls empties them.
A delay (a slow answer, to stall a caller mid-request): POST /_shiftwork/delay
  {"action": "DescribeClusters", "clusterIdentifier": "c1", "seconds": 5, "times": 1}
Nothing here comes from PyPI: only moto (already installed) and the standard library.
"""

import base64
import re
import datetime
import json
import logging
import sys
import threading
import time
import urllib.request

from moto.redshift import exceptions as rx
from moto.redshift import models as rm
from moto.redshift import responses as rr

LOG = logging.getLogger("shiftwork_moto")

CONFIG = {
    "transitionSeconds": 1.0,
    "snapshotSeconds": 0.5,
    "automatedSnapshotSeconds": 8 * 3600.0,
    "redshiftHook": None,
}
_NUMERIC = ("transitionSeconds", "snapshotSeconds", "automatedSnapshotSeconds")

# moto's server is threaded; the lazy state changes below must not interleave with requests.
LOCK = threading.RLock()


# ---------------------------------------------------------------- errors (AWS codes)

class InvalidClusterStateFault(rx.RedshiftClientError):
    def __init__(self, message):
        super().__init__("InvalidClusterState", message)


class InvalidClusterSnapshotStateFault(rx.RedshiftClientError):
    def __init__(self, message):
        super().__init__("InvalidClusterSnapshotState", message)


class InvalidRetentionPeriodFault(rx.RedshiftClientError):
    def __init__(self, value):
        super().__init__("InvalidRetentionPeriod",
                         f"Invalid manual snapshot retention period {value}: the value must be either -1 "
                         "or an integer between 1 and 3,653.")


class UnsupportedOperationFault(rx.RedshiftClientError):
    def __init__(self, message):
        super().__init__("UnsupportedOperation", message)


class InvalidParameterValue(rx.RedshiftClientError):
    def __init__(self, message):
        super().__init__("InvalidParameterValue", message)


# ---------------------------------------------------------------- hooks

_PENDING = threading.local()


def hook(path, payload):
    """Queued while a request holds LOCK, sent after it lets go (the receiver may call moto back)."""
    queue = getattr(_PENDING, "queue", None)
    if queue is not None:
        queue.append((path, payload))
    else:
        _send(path, payload)


def _send(path, payload):
    url = CONFIG.get("redshiftHook")
    if not url:
        return
    try:
        req = urllib.request.Request(url.rstrip("/") + "/_emulator/" + path, data=json.dumps(payload).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=5) as r:
            r.read()
    except Exception as e:  # best effort: the API call has happened whatever the hook says
        LOG.warning("hook %s %s failed: %s", path, payload, e)


def _changed(cluster):
    hook("cluster-changed", {"clusterIdentifier": cluster.cluster_identifier, "status": cluster.status})


# ---------------------------------------------------------------- lazy states

def _now():
    return time.time()


def _cluster_status_get(self):
    t = self.__dict__.get("_sw_transition")
    if t:
        phases, final = t
        now = _now()
        for status, deadline in phases:
            if now < deadline:
                return status
        if final is None:
            return phases[-1][0]  # deleting: gone at the next sweep
        self.__dict__["_sw_transition"] = None
        self.__dict__["_sw_status"] = final
    return self.__dict__.get("_sw_status", "available")


def _cluster_status_set(self, value):
    self.__dict__["_sw_transition"] = None
    self.__dict__["_sw_status"] = value


def _transition(cluster, transitional, final, seconds=None, before=None):
    """transitional for `seconds` (after `before` = (status, seconds) if given), then final (None: gone)."""
    at = _now()
    phases = []
    if before:
        at += before[1]
        phases.append((before[0], at))
    at += CONFIG["transitionSeconds"] if seconds is None else seconds
    phases.append((transitional, at))
    cluster.__dict__["_sw_transition"] = (phases, final)


def _gone(cluster, now):
    t = cluster.__dict__.get("_sw_transition")
    return bool(t) and t[1] is None and now >= t[0][-1][1]


def _snapshot_status_get(self):
    ready = self.__dict__.get("_sw_ready_at")
    status = self.__dict__.get("_sw_status", "available")
    if ready is not None and status == "available" and _now() < ready:
        return "creating"
    return status


def _snapshot_status_set(self, value):
    self.__dict__["_sw_status"] = value


def _snapshot_remaining_days(self):
    period = getattr(self, "manual_snapshot_retention_period", -1)
    if self.snapshot_type != "manual" or period is None or period < 0:
        return None
    age = (datetime.datetime.now(datetime.timezone.utc) - _aware(self.create_time)).days
    return max(0, period - age)


def _aware(t):
    return t if t.tzinfo else t.replace(tzinfo=datetime.timezone.utc)


rm.Cluster.status = property(_cluster_status_get, _cluster_status_set)
rm.Snapshot.status = property(_snapshot_status_get, _snapshot_status_set)
rm.Snapshot.manual_snapshot_remaining_days = property(_snapshot_remaining_days)
rm.Snapshot.manual_snapshot_retention_period = -1


def _sweep(backend):
    """Ends what has ended: deleted clusters go, automated snapshots are taken and expire."""
    now = _now()
    deleting = backend.__dict__.setdefault("_sw_deleting", {})
    for cid in [c for c, gone_at in deleting.items() if now >= gone_at]:
        deleting.pop(cid)
        cluster = backend.clusters.get(cid)
        if cluster is not None and _gone(cluster, now):
            backend.clusters.pop(cid)
    # the rest walks every cluster and snapshot: at most once a second, so a tick over many clusters stays linear
    if now - backend.__dict__.get("_sw_swept", 0) < 1.0:
        return
    backend._sw_swept = now
    period = CONFIG["automatedSnapshotSeconds"]
    for cluster in list(backend.clusters.values()):
        if period and period > 0 and cluster.automated_snapshot_retention_period > 0 and cluster.status == "available":
            last = cluster.__dict__.setdefault("_sw_last_automated", now)
            if now - last >= period:
                _automated_snapshot(backend, cluster, now)
    utc_now = datetime.datetime.now(datetime.timezone.utc)
    for sid, snap in list(backend.snapshots.items()):
        if snap.snapshot_type != "automated":
            continue
        cluster = backend.clusters.get(snap.cluster_identifier)
        if cluster is not None and (utc_now - _aware(snap.create_time)).total_seconds() \
                > cluster.automated_snapshot_retention_period * 86400:
            backend.snapshots.pop(sid, None)
            hook("delete-snapshot", {"snapshotIdentifier": sid})


def _automated_snapshot(backend, cluster, at):
    stamp = datetime.datetime.fromtimestamp(at, datetime.timezone.utc)
    sid = f"rs:{cluster.cluster_identifier}-{stamp.strftime('%Y-%m-%d-%H-%M-%S')}"
    n = 1
    while sid in backend.snapshots:
        n += 1
        sid = f"rs:{cluster.cluster_identifier}-{stamp.strftime('%Y-%m-%d-%H-%M-%S')}-{n}"
    snap = rm.Snapshot(cluster, sid, backend.account_id, cluster.region, None, snapshot_type="automated")
    snap.create_time = stamp
    snap.__dict__["_sw_ready_at"] = at + CONFIG["snapshotSeconds"]
    backend.snapshots[sid] = snap
    cluster.__dict__["_sw_last_automated"] = at
    hook("cluster-snapshot", {"clusterIdentifier": cluster.cluster_identifier, "snapshotIdentifier": sid})
    return snap


def _cluster(backend, cid):
    cluster = backend.clusters.get(cid)
    if cluster is None:
        raise rx.ClusterNotFoundError(cid)
    return cluster


def _require(cluster, wanted, action):
    status = cluster.status
    if status != wanted:
        raise InvalidClusterStateFault(
            f"Cannot {action} cluster {cluster.cluster_identifier}: its status is {status}, it must be {wanted}.")


def _retention(value):
    if value is None:
        return -1
    value = int(value)
    if value != -1 and not 1 <= value <= 3653:
        raise InvalidRetentionPeriodFault(value)
    return value


# ---------------------------------------------------------------- backend

_orig_create_cluster_snapshot = rm.RedshiftBackend.create_cluster_snapshot
_orig_delete_cluster = rm.RedshiftBackend.delete_cluster
_orig_modify_cluster = rm.RedshiftBackend.modify_cluster


def create_cluster(self, **kwargs):
    cid = kwargs["cluster_identifier"]
    if cid in self.clusters:
        raise rx.ClusterAlreadyExistsFaultError()
    retention = kwargs.get("automated_snapshot_retention_period")
    cluster = rm.Cluster(self, **kwargs)
    if retention is not None and int(retention) == 0:
        cluster.automated_snapshot_retention_period = 0  # moto turns 0 (automated snapshots off) into 1
    self.clusters[cid] = cluster
    _transition(cluster, "creating", "available")
    _changed(cluster)
    if cluster.automated_snapshot_retention_period > 0:
        _automated_snapshot(self, cluster, _now() + CONFIG["transitionSeconds"])
    return cluster


_SNAPSHOT_ID = re.compile(r"[A-Za-z](?:[A-Za-z0-9]|-(?!-))*")


def _snapshot_id(value, member):
    # API_CreateClusterSnapshot / API_CopyClusterSnapshot: 1 to 255 alphanumeric characters or hyphens, the first
    # a letter, not ending with a hyphen nor holding two consecutive hyphens.
    if (not value or len(value) > 255 or not _SNAPSHOT_ID.fullmatch(value) or value.endswith("-")):
        raise InvalidParameterValue(
            f"Invalid {member} {value!r}: it must hold 1 to 255 alphanumeric characters or hyphens, start with a "
            "letter, and neither end with a hyphen nor contain two consecutive hyphens.")


def create_cluster_snapshot(self, cluster_identifier, snapshot_identifier, region_name, tags,
                            snapshot_type="manual", manual_snapshot_retention_period=None):
    if snapshot_type == "manual":
        _snapshot_id(snapshot_identifier, "SnapshotIdentifier")
    cluster = _cluster(self, cluster_identifier)
    if snapshot_identifier in self.snapshots:
        raise rx.ClusterSnapshotAlreadyExistsError(snapshot_identifier)
    if snapshot_type == "manual" and not getattr(self, "_sw_final_snapshot", False):
        _require(cluster, "available", "take a snapshot of")
    retention = _retention(manual_snapshot_retention_period)
    snap = _orig_create_cluster_snapshot(self, cluster_identifier, snapshot_identifier, region_name, tags,
                                         snapshot_type=snapshot_type)
    snap.manual_snapshot_retention_period = retention
    snap.__dict__["_sw_ready_at"] = _now() + CONFIG["snapshotSeconds"]
    hook("cluster-snapshot", {"clusterIdentifier": cluster_identifier, "snapshotIdentifier": snapshot_identifier})
    return snap


def copy_cluster_snapshot(self, source_id, source_cluster_id, target_id, retention):
    _snapshot_id(target_id, "TargetSnapshotIdentifier")
    snap = self.snapshots.get(source_id)
    if snap is None or (source_cluster_id and snap.cluster_identifier != source_cluster_id):
        raise rx.ClusterSnapshotNotFoundError(source_id)
    if snap.snapshot_type != "automated":
        raise InvalidClusterSnapshotStateFault(
            f"Cannot copy snapshot {source_id}: the source must be an automated snapshot.")
    if snap.status != "available":
        raise InvalidClusterSnapshotStateFault(
            f"Cannot copy snapshot {source_id}: its status is {snap.status}, it must be available.")
    if target_id in self.snapshots:
        raise rx.ClusterSnapshotAlreadyExistsError(target_id)
    retention = _retention(retention)

    class _Source:  # the cluster as the snapshot saw it: the cluster may be gone since
        pass

    src = _Source()
    for attr in ("cluster_identifier", "port", "availability_zone", "master_username", "master_user_password",
                 "cluster_version", "node_type", "number_of_nodes", "db_name", "enhanced_vpc_routing",
                 "encrypted"):
        setattr(src, attr, getattr(snap, attr))
    copy = rm.Snapshot(src, target_id, self.account_id, snap.region, None, snapshot_type="manual")
    copy.create_time = snap.create_time  # a copy holds the data of its source's point in time
    copy.manual_snapshot_retention_period = retention
    copy.__dict__["_sw_ready_at"] = _now() + CONFIG["snapshotSeconds"]
    self.snapshots[target_id] = copy
    hook("copy-snapshot", {"sourceSnapshotIdentifier": source_id, "targetSnapshotIdentifier": target_id})
    return copy


def describe_cluster_snapshots(self, cluster_identifier=None, snapshot_identifier=None, snapshot_type=None):
    # Internal callers (moto's own code) keep moto's signature; the API goes through _describe below.
    result = list(self.snapshots.values())
    if snapshot_identifier:
        result = [s for s in result if s.snapshot_identifier == snapshot_identifier]
        if not result:
            raise rx.ClusterSnapshotNotFoundError(snapshot_identifier)
    if cluster_identifier:
        result = [s for s in result if s.cluster_identifier == cluster_identifier]
    if snapshot_type:
        result = [s for s in result if s.snapshot_type == snapshot_type]
    return result


def delete_cluster_snapshot(self, snapshot_identifier, snapshot_cluster_identifier=None):
    snap = self.snapshots.get(snapshot_identifier)
    if snap is None or (snapshot_cluster_identifier and snap.cluster_identifier != snapshot_cluster_identifier):
        raise rx.ClusterSnapshotNotFoundError(snapshot_identifier)
    if snap.snapshot_type == "automated":
        raise rx.InvalidClusterSnapshotStateFaultError(snapshot_identifier)
    if snap.status != "available":
        raise InvalidClusterSnapshotStateFault(
            f"Cannot delete snapshot {snapshot_identifier}: its status is {snap.status}, it must be available.")
    self.snapshots.pop(snapshot_identifier)
    snap.status = "deleted"
    hook("delete-snapshot", {"snapshotIdentifier": snapshot_identifier})
    return snap


def pause_cluster(self, cluster_id):
    cluster = _cluster(self, cluster_id)
    _require(cluster, "available", "pause")
    if cluster.automated_snapshot_retention_period == 0:
        raise UnsupportedOperationFault(
            f"Cannot pause cluster {cluster_id}: clusters with automated snapshots turned off cannot be paused.")
    _transition(cluster, "pausing", "paused")
    _changed(cluster)
    # "When you pause a cluster, Amazon Redshift creates a snapshot" (Management Guide, pausing and resuming)
    _automated_snapshot(self, cluster, _now())
    return cluster


def resume_cluster(self, cluster_id):
    cluster = _cluster(self, cluster_id)
    _require(cluster, "paused", "resume")
    _transition(cluster, "resuming", "available")
    _changed(cluster)
    return cluster


def modify_cluster(self, **kwargs):
    cid = kwargs["cluster_identifier"]
    cluster = _cluster(self, cid)
    _require(cluster, "available", "modify")
    new_id = kwargs.pop("new_cluster_identifier", None)
    if new_id and new_id != cid and new_id in self.clusters:
        raise rx.ClusterAlreadyExistsFaultError()
    cluster = _orig_modify_cluster(self, **kwargs)  # without the rename: moto's goes through delete_cluster
    if new_id and new_id != cid:
        self.clusters.pop(cid)
        cluster.cluster_identifier = new_id
        self.clusters[new_id] = cluster
    _changed(cluster)
    return cluster


def delete_cluster(self, **kwargs):
    cid = kwargs["cluster_identifier"]
    cluster = _cluster(self, cid)
    if cluster.status not in ("available", "paused"):
        raise InvalidClusterStateFault(
            f"Cannot delete cluster {cid}: its status is {cluster.status}, it must be available or paused.")
    skip = kwargs.get("skip_final_snapshot")
    final = kwargs.get("final_cluster_snapshot_identifier")
    if not skip and final is None:
        raise rx.InvalidParameterCombinationError(
            "FinalClusterSnapshotIdentifier is required unless SkipFinalClusterSnapshot is specified.")
    if not skip:
        if final in self.snapshots:
            raise rx.ClusterSnapshotAlreadyExistsError(final)
        self._sw_final_snapshot = True
        try:
            create_cluster_snapshot(self, cid, final, cluster.region, cluster.tags)
        finally:
            self._sw_final_snapshot = False
    for sid, snap in list(self.snapshots.items()):
        if snap.cluster_identifier == cid and snap.snapshot_type == "automated":
            self.snapshots.pop(sid)
            hook("delete-snapshot", {"snapshotIdentifier": sid})
    # with a final snapshot: "final-snapshot" while it is taken, then "deleting" (DeleteCluster reference)
    _transition(cluster, "deleting", None, before=None if skip else ("final-snapshot", CONFIG["snapshotSeconds"]))
    self.__dict__.setdefault("_sw_deleting", {})[cid] = cluster.__dict__["_sw_transition"][0][-1][1]
    _changed(cluster)
    return cluster


def restore_from_cluster_snapshot(self, **kwargs):
    sid = kwargs.pop("snapshot_identifier")
    source_cluster = kwargs.pop("snapshot_cluster_identifier", None)
    snap = self.snapshots.get(sid)
    if snap is None or (source_cluster and snap.cluster_identifier != source_cluster):
        raise rx.ClusterSnapshotNotFoundError(sid)
    if snap.status != "available":
        raise InvalidClusterSnapshotStateFault(
            f"Cannot restore from snapshot {sid}: its status is {snap.status}, it must be available.")
    if kwargs["cluster_identifier"] in self.clusters:
        raise rx.ClusterAlreadyExistsFaultError()
    create_kwargs = {
        "node_type": snap.node_type,
        "master_username": snap.master_username,
        "master_user_password": snap.master_user_password,
        "db_name": snap.db_name,
        "cluster_type": "multi-node" if snap.number_of_nodes > 1 else "single-node",
        "availability_zone": snap.availability_zone,
        "port": snap.port,
        "cluster_version": snap.cluster_version,
        "number_of_nodes": snap.number_of_nodes,
        "encrypted": snap.encrypted,
        "restored_from_snapshot": True,
        "enhanced_vpc_routing": snap.enhanced_vpc_routing,
    }
    create_kwargs.update(kwargs)
    cluster = create_cluster(self, **create_kwargs)
    hook("cluster-restore", {"snapshotIdentifier": sid, "clusterIdentifier": cluster.cluster_identifier})
    return cluster


for _name, _fn in {
    "create_cluster": create_cluster,
    "create_cluster_snapshot": create_cluster_snapshot,
    "copy_cluster_snapshot": copy_cluster_snapshot,
    "describe_cluster_snapshots": describe_cluster_snapshots,
    "delete_cluster_snapshot": delete_cluster_snapshot,
    "pause_cluster": pause_cluster,
    "resume_cluster": resume_cluster,
    "modify_cluster": modify_cluster,
    "delete_cluster": delete_cluster,
    "restore_from_cluster_snapshot": restore_from_cluster_snapshot,
}.items():
    setattr(rm.RedshiftBackend, _name, _fn)


# ---------------------------------------------------------------- DynamoDB: atomic like AWS

from moto.dynamodb import responses as dr

_DYNAMO_LOCK = threading.Lock()
_orig_dynamo_call_action = dr.DynamoHandler.call_action


def dynamo_call_action(self):
    with _DYNAMO_LOCK:
        return _orig_dynamo_call_action(self)


dr.DynamoHandler.call_action = dynamo_call_action


# ---------------------------------------------------------------- responses

_orig_call_action = rr.RedshiftResponse.call_action
_orig_restore_response = rr.RedshiftResponse.restore_from_cluster_snapshot


CALLS = {}
DELAYS = []
_DELAYING = [0]
_CALLS_LOCK = threading.Lock()


def _count_and_delay(self):
    action = self._get_action()
    cluster = self._get_param("ClusterIdentifier") or ""
    wait = 0.0
    with _CALLS_LOCK:
        per = CALLS.setdefault(action, {})
        per[cluster] = per.get(cluster, 0) + 1
        for d in DELAYS:
            if d["action"] == action and d.get("clusterIdentifier") in (None, cluster) and d["times"] != 0:
                d["times"] -= 1
                wait = d["seconds"]
                break
        if wait:
            _DELAYING[0] += 1
    if wait:
        try:
            time.sleep(wait)  # outside LOCK: other callers are served meanwhile
        finally:
            with _CALLS_LOCK:
                _DELAYING[0] -= 1


def call_action(self):
    _count_and_delay(self)
    _PENDING.queue = []
    try:
        with LOCK:
            try:
                _sweep(self.redshift_backend)
            except Exception as e:  # never let bookkeeping break a request
                LOG.exception("sweep failed: %s", e)
            answer = _orig_call_action(self)
        queued = _PENDING.queue
    finally:
        _PENDING.queue = None
    for path, payload in queued:
        _send(path, payload)  # before the caller sees the answer, outside the lock
    return answer


def _time_param(value):
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return _aware(value)
    text = str(value)
    try:
        return datetime.datetime.fromtimestamp(float(text), datetime.timezone.utc)
    except ValueError:
        pass
    return _aware(datetime.datetime.fromisoformat(text.replace("Z", "+00:00")))


def _list_param(self, name):
    value = self._get_param(name)
    if value is None:
        return []
    if isinstance(value, dict):  # {"TagKey": [...]} shapes
        value = next(iter(value.values()), [])
    return list(value) if isinstance(value, (list, tuple)) else [value]


def r_create_cluster_snapshot(self):
    snapshot = self.redshift_backend.create_cluster_snapshot(
        self._get_param("ClusterIdentifier"), self._get_param("SnapshotIdentifier"), self.region,
        self._get_param("Tags", []), manual_snapshot_retention_period=self._get_param("ManualSnapshotRetentionPeriod"))
    return rr.ActionResult({"Snapshot": snapshot})


def r_copy_cluster_snapshot(self):
    snapshot = self.redshift_backend.copy_cluster_snapshot(
        self._get_param("SourceSnapshotIdentifier"), self._get_param("SourceSnapshotClusterIdentifier"),
        self._get_param("TargetSnapshotIdentifier"), self._get_param("ManualSnapshotRetentionPeriod"))
    return rr.ActionResult({"Snapshot": snapshot})


def r_delete_cluster_snapshot(self):
    snapshot = self.redshift_backend.delete_cluster_snapshot(
        self._get_param("SnapshotIdentifier"), self._get_param("SnapshotClusterIdentifier"))
    return rr.ActionResult({"Snapshot": snapshot})


def r_restore_from_cluster_snapshot(self):
    # moto's handler does not pass SnapshotClusterIdentifier on; remember it for the backend.
    backend = self.redshift_backend
    source_cluster = self._get_param("SnapshotClusterIdentifier")
    original = backend.restore_from_cluster_snapshot

    def restore(**kwargs):
        kwargs["snapshot_cluster_identifier"] = source_cluster
        return original(**kwargs)

    backend.restore_from_cluster_snapshot = restore
    try:
        return _orig_restore_response(self)
    finally:
        del backend.restore_from_cluster_snapshot


def r_describe_cluster_snapshots(self):
    backend = self.redshift_backend
    cluster_identifier = self._get_param("ClusterIdentifier")
    snapshot_identifier = self._get_param("SnapshotIdentifier")
    snapshot_type = self._get_param("SnapshotType")
    if snapshot_type and snapshot_type not in ("automated", "manual"):
        raise InvalidParameterValue(f"Invalid snapshot type {snapshot_type}: valid values are automated, manual.")
    max_records = self._get_int_param("MaxRecords", 100)
    if not 20 <= max_records <= 100:
        raise InvalidParameterValue(
            f"MaxRecords {max_records} is not valid: the value must be between 20 and 100.")
    start = _time_param(self._get_param("StartTime"))
    end = _time_param(self._get_param("EndTime"))
    tag_keys = _list_param(self, "TagKeys")
    tag_values = _list_param(self, "TagValues")
    cluster_exists = self._get_bool_param("ClusterExists")
    if cluster_exists and not cluster_identifier:
        raise InvalidParameterValue("ClusterIdentifier is required when ClusterExists is true.")

    snaps = backend.describe_cluster_snapshots(cluster_identifier, snapshot_identifier, snapshot_type)
    if start:
        snaps = [s for s in snaps if _aware(s.create_time) >= start]
    if end:
        snaps = [s for s in snaps if _aware(s.create_time) <= end]
    # Both given: one tag must have its key in TagKeys and its value in TagValues (API_DescribeClusterSnapshots).
    if tag_keys or tag_values:
        snaps = [s for s in snaps if any((not tag_keys or t["Key"] in tag_keys)
                                         and (not tag_values or t["Value"] in tag_values) for t in s.tags)]
    if cluster_exists is True:
        snaps = [s for s in snaps if s.cluster_identifier in backend.clusters]
    elif cluster_exists is False:
        snaps = [s for s in snaps if s.cluster_identifier not in backend.clusters]

    snaps.sort(key=lambda s: _aware(s.create_time))
    for entity in reversed(self._get_param("SortingEntities") or []):
        attr = entity.get("Attribute")
        desc = entity.get("SortOrder", "ASC") == "DESC"
        if attr == "CREATE_TIME":
            snaps.sort(key=lambda s: _aware(s.create_time), reverse=desc)
        elif attr == "SOURCE_TYPE":
            snaps.sort(key=lambda s: s.snapshot_type, reverse=desc)
        # TOTAL_SIZE: every emulated snapshot has the same (zero) size

    offset = 0
    marker = self._get_param("Marker")
    if marker:
        try:
            offset = int(base64.urlsafe_b64decode(marker.encode()).decode())
        except Exception:
            raise InvalidParameterValue(f"Invalid marker {marker}.")
        if offset <= 0 or offset > len(snaps):  # only the offsets of pages it issued are markers
            raise InvalidParameterValue(f"Invalid marker {marker}.")
    page = snaps[offset:offset + max_records]
    result = {"Snapshots": page}
    if offset + max_records < len(snaps):
        result["Marker"] = base64.urlsafe_b64encode(str(offset + max_records).encode()).decode()
    return rr.ActionResult(result)


rr.RedshiftResponse.call_action = call_action
rr.RedshiftResponse.create_cluster_snapshot = r_create_cluster_snapshot
rr.RedshiftResponse.copy_cluster_snapshot = r_copy_cluster_snapshot
rr.RedshiftResponse.delete_cluster_snapshot = r_delete_cluster_snapshot
rr.RedshiftResponse.restore_from_cluster_snapshot = r_restore_from_cluster_snapshot
rr.RedshiftResponse.describe_cluster_snapshots = r_describe_cluster_snapshots
# moto forces ClusterStatus to "creating" in these answers; the lazy status says the same, truthfully.
rr.RedshiftResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER = {}


# ---------------------------------------------------------------- control endpoint and server

class ControlApp:
    """WSGI middleware: /_shiftwork/config in front of moto's own application."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO")
        if path == "/_shiftwork/calls":
            return self._calls(environ, start_response)
        if path == "/_shiftwork/delay":
            return self._delay(environ, start_response)
        if path != "/_shiftwork/config":
            return self.app(environ, start_response)
        method = environ.get("REQUEST_METHOD")
        if method == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
                body = json.loads(environ["wsgi.input"].read(length) or b"{}")
                if not isinstance(body, dict):
                    raise ValueError("the body must be a JSON object")
                for key, value in body.items():
                    if key in _NUMERIC:
                        if not isinstance(value, (int, float)) or value < 0:
                            raise ValueError(f"{key} must be a number >= 0")
                    elif key == "redshiftHook":
                        if value is not None and not (isinstance(value, str) and value.startswith("http")):
                            raise ValueError("redshiftHook must be an http(s) URL or null")
                    else:
                        raise ValueError(f"unknown setting {key}; known: {sorted(CONFIG)}")
                with LOCK:
                    CONFIG.update(body)
            except (ValueError, KeyError) as e:
                return self._json(start_response, "400 Bad Request", {"error": str(e)})
        elif method != "GET":
            return self._json(start_response, "405 Method Not Allowed", {"error": "GET or POST"})
        return self._json(start_response, "200 OK", CONFIG)

    def _calls(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "POST"):
            return self._json(start_response, "405 Method Not Allowed", {"error": "GET or POST"})
        with _CALLS_LOCK:
            if method == "POST":
                CALLS.clear()
            body = {"calls": json.loads(json.dumps(CALLS)), "delaying": _DELAYING[0]}
        return self._json(start_response, "200 OK", body)

    def _delay(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "POST":
            return self._json(start_response, "405 Method Not Allowed", {"error": "POST"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = json.loads(environ["wsgi.input"].read(length) or b"{}")
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
            unknown = set(body) - {"action", "clusterIdentifier", "seconds", "times"}
            if unknown:
                raise ValueError(f"unknown fields {sorted(unknown)}; known: action, clusterIdentifier, seconds, times")
            if not isinstance(body.get("action"), str) or not re.fullmatch(r"[A-Z][A-Za-z]+", body["action"]):
                raise ValueError("action must be a Redshift action name such as DescribeClusters")
            seconds = body.get("seconds")
            if not isinstance(seconds, (int, float)) or not 0 < seconds <= 120:
                raise ValueError("seconds must be a number in (0, 120]")
            times = body.get("times", 1)
            if not isinstance(times, int) or times == 0 or times < -1:
                raise ValueError("times must be a positive integer, or -1 for every call")
            cluster = body.get("clusterIdentifier")
            if cluster is not None and not isinstance(cluster, str):
                raise ValueError("clusterIdentifier must be a string")
        except (ValueError, KeyError) as e:
            return self._json(start_response, "400 Bad Request", {"error": str(e)})
        with _CALLS_LOCK:
            DELAYS.append({"action": body["action"], "clusterIdentifier": cluster, "seconds": float(seconds), "times": times})
        return self._json(start_response, "200 OK", {"armed": body})

    @staticmethod
    def _json(start_response, status, body):
        data = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]


def main(argv=None):
    import argparse

    from werkzeug.serving import run_simple

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    import os
    os.environ.setdefault("MOTO_PORT", str(args.port))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(args.host, args.port, ControlApp(app), threaded=True)


if __name__ == "__main__":
    main(sys.argv[1:])
