"""The distributed task store: task records, inputs, results, clients and worker heartbeats in
Redis under ocrhive's own keys, shared by every API node and worker node.

Keys (``P`` is the prefix, ``ocrhive`` by default)::

    P:task:<id>        hash   the record (status, owner, settings, attempts, worker, times, …)
    P:input:<id>       string the submitted file, until the task is final
    P:results:<id>     list   "<kind>\\n<bytes>" per artifact, in order
    P:pending          zset   Pending ids by submission order (P:pending:<owner> per client)
    P:running          set    Processing ids
    P:seq              counter for submission order
    P:client:<id>      hash   a registered API client; P:clients zset by creation time
    P:worker:<id>      string a live worker process's heartbeat (expires unless renewed)
    P:pages:<id>       hash   a running document's page jobs: n (count), s:<i> state,
                              w:<i> worker, a:<i> attempts, m:<i> failure message
    P:parts:<id>       hash   <i> → the stored result part of page i
    P:open-pages       zset   ids of tasks with open pages, by submission order
    P:held-pages       set    "<id> <i>" of every page a worker reads

Retention is Redis key expiry on the record, its input, page jobs and results; the sets are
cleaned lazily. Every change of status is one Lua script, so it is a compare-and-set like SQLite's.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import redis
import redis.exceptions

from ocrhive.domain.recognition import ArtifactKind, Family
from ocrhive.domain.serialization import settings_from_dict, settings_to_dict
from ocrhive.domain.task import (
    Artifact,
    NewTask,
    PageJob,
    PageState,
    RunningTask,
    TaskChange,
    TaskInput,
    TaskStatus,
    TaskView,
)
from ocrhive.errors import StorageFull, Unavailable
from ocrhive.store.base import ClientRecord, StorageState

#: the owner key of trial tasks, which belong to nobody
_NOBODY = "~trial"
#: what a client is told to wait while Redis is unreachable, seconds
_RETRY_AFTER = 5.0
#: most changes kept whose outcome is unknown (a caller that never retries leaves one behind)
_UNCONFIRMED_CAP = 10_000

# KEYS: task, input, results, pending, running, pages, parts
# ARGV: expect, holder, status, at, worker, started_at, deadline, count_attempt,
#       messages ("\0" = unchanged), warnings (same), prefix, this change's token (the same
#       for every try of one change: a try whose reply was lost left it in the record), results...
_APPLY = """
local status = redis.call('HGET', KEYS[1], 'status')
if status == ARGV[3] and redis.call('HGET', KEYS[1], 'change') == ARGV[12] then return 1 end
if (not status) or status ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' and redis.call('HGET', KEYS[1], 'worker') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[3], 'updated_at', ARGV[4], 'worker', ARGV[5],
           'started_at', ARGV[6], 'deadline', ARGV[7], 'change', ARGV[12])
if ARGV[8] == '1' then redis.call('HINCRBY', KEYS[1], 'attempts', 1) end
if ARGV[9] ~= '\\0' then redis.call('HSET', KEYS[1], 'messages', ARGV[9]) end
if ARGV[10] ~= '\\0' then redis.call('HSET', KEYS[1], 'warnings', ARGV[10]) end
local id = string.sub(KEYS[1], string.len(ARGV[11]) + 7)
local owner = redis.call('HGET', KEYS[1], 'owner')
local by_owner = ARGV[11] .. ':pending:' .. owner
if ARGV[3] == 'Pending' then
  local seq = redis.call('HGET', KEYS[1], 'seq')
  redis.call('ZADD', KEYS[4], seq, id)
  redis.call('ZADD', by_owner, seq, id)
  redis.call('SREM', KEYS[5], id)
elseif ARGV[3] == 'Processing' then
  redis.call('ZREM', KEYS[4], id)
  redis.call('ZREM', by_owner, id)
  redis.call('SADD', KEYS[5], id)
else
  redis.call('ZREM', KEYS[4], id)
  redis.call('ZREM', by_owner, id)
  redis.call('SREM', KEYS[5], id)
  redis.call('DEL', KEYS[2], KEYS[6], KEYS[7])
  if #ARGV > 12 then
    redis.call('RPUSH', KEYS[3], unpack(ARGV, 13))
    local expires = tonumber(redis.call('HGET', KEYS[1], 'expires_at'))
    redis.call('PEXPIREAT', KEYS[3], math.floor(expires * 1000))
  end
end
return 1
"""


# KEYS: task, pages, open-pages; ARGV: count, id
_PLAN = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = tonumber(redis.call('HGET', KEYS[2], 'n') or '0')
local count = tonumber(ARGV[1])
for i = n, count - 1 do
  redis.call('HSET', KEYS[2], 's:' .. i, 'open', 'a:' .. i, 0)
end
if count > n then redis.call('HSET', KEYS[2], 'n', count) end
local expires = tonumber(redis.call('HGET', KEYS[1], 'expires_at'))
redis.call('PEXPIREAT', KEYS[2], math.floor(expires * 1000))
redis.call('ZADD', KEYS[3], redis.call('HGET', KEYS[1], 'seq'), ARGV[2])
return 1
"""

# KEYS: pages, open-pages, held-pages; ARGV: worker, id (no page once one failed)
_CLAIM_PAGE = """
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
local open = -1
for i = 0, n - 1 do
  local state = redis.call('HGET', KEYS[1], 's:' .. i)
  if state == 'failed' then open = -1; break end
  if state == 'open' and open < 0 then open = i end
end
if open < 0 then
  redis.call('ZREM', KEYS[2], ARGV[2])
  return false
end
redis.call('HSET', KEYS[1], 's:' .. open, 'held', 'w:' .. open, ARGV[1])
local attempts = redis.call('HINCRBY', KEYS[1], 'a:' .. open, 1)
redis.call('SADD', KEYS[3], ARGV[2] .. ' ' .. open)
return {open, attempts}
"""

# KEYS: task, pages, parts, held-pages, open-pages
# ARGV: index, worker, new state (done, failed, open), message, id, part (done only)
_SETTLE_PAGE = """
local i = ARGV[1]
if redis.call('HGET', KEYS[2], 's:' .. i) ~= 'held' then return 0 end
if redis.call('HGET', KEYS[2], 'w:' .. i) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[2], 's:' .. i, ARGV[3], 'w:' .. i, '', 'm:' .. i, ARGV[4])
redis.call('SREM', KEYS[4], ARGV[5] .. ' ' .. i)
local expires = redis.call('HGET', KEYS[1], 'expires_at')
if ARGV[3] == 'done' then
  redis.call('HSET', KEYS[3], i, ARGV[6])
  if expires then redis.call('PEXPIREAT', KEYS[3], math.floor(tonumber(expires) * 1000)) end
elseif ARGV[3] == 'open' and expires then
  redis.call('ZADD', KEYS[5], redis.call('HGET', KEYS[1], 'seq'), ARGV[5])
end
return 1
"""


def text(value: Any) -> str:
    """A Redis reply as text (replies are bytes; the typing allows str too)."""
    return value.decode() if isinstance(value, bytes) else str(value)


def _num(value: Any) -> float | None:
    if value is None or value in (b"", ""):
        return None
    return float(value)


@contextmanager
def redis_errors_translated() -> Iterator[None]:
    """Redis failures become the service's errors, once, here."""
    try:
        yield
    except redis.exceptions.ResponseError as exc:
        if str(exc).startswith("OOM"):
            raise StorageFull(
                "The task store (Redis) has reached its memory limit; try again later.",
                retry_after=30.0,
            ) from None
        raise
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
        raise Unavailable(
            "The task store (Redis) is unreachable; try again shortly.",
            retry_after=_RETRY_AFTER,
        ) from None
    except redis.exceptions.BusyLoadingError:
        raise Unavailable(
            "The task store (Redis) is loading its data; try again shortly.",
            retry_after=_RETRY_AFTER,
        ) from None


class RedisStore:
    """Tasks, clients and worker heartbeats in one Redis database."""

    def __init__(self, url: str, *, prefix: str = "ocrhive", timeout: float = 5.0) -> None:
        self.url = url
        self._p = prefix
        self._db: redis.Redis = redis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=min(timeout, 2.0),
            health_check_interval=10,
        )
        self._apply = self._db.register_script(_APPLY)
        self._plan = self._db.register_script(_PLAN)
        self._claim_page = self._db.register_script(_CLAIM_PAGE)
        self._settle_page = self._db.register_script(_SETTLE_PAGE)
        #: (task, expect, holder, status) → token of a change sent whose reply was lost; its
        #: retries send the same token, so the script can tell its own earlier write
        self._unconfirmed: dict[tuple[str, str, str, str], str] = {}

    def _key(self, kind: str, name: str = "") -> str:
        return f"{self._p}:{kind}:{name}" if name else f"{self._p}:{kind}"

    def _guard(self) -> AbstractContextManager[None]:
        return redis_errors_translated()

    def close(self) -> None:
        self._db.close()

    def ping(self) -> bool:
        """Whether Redis answers now."""
        try:
            return bool(self._db.ping())
        except redis.exceptions.RedisError:
            return False

    # -- tasks ------------------------------------------------------------------------------

    def save(self, task: NewTask, image: bytes | bytearray | memoryview) -> None:
        expire_ms = int(task.expires_at * 1000)
        owner = task.owner or _NOBODY
        with self._guard():
            seq = int(self._db.incr(self._key("seq")))
            pipe = self._db.pipeline(transaction=True)
            key = self._key("task", task.id)
            pipe.hset(
                key,
                mapping={
                    "family": task.family.value,
                    "owner": owner,
                    "settings": json.dumps(settings_to_dict(task.settings)),
                    "status": TaskStatus.PENDING.value,
                    "attempts": 0,
                    "worker": "",
                    "started_at": "",
                    "deadline": "",
                    "created_at": repr(task.created_at),
                    "updated_at": repr(task.created_at),
                    "expires_at": repr(task.expires_at),
                    "messages": "[]",
                    "warnings": "[]",
                    "seq": seq,
                },
            )
            pipe.pexpireat(key, expire_ms)
            pipe.set(self._key("input", task.id), image, pxat=expire_ms)
            pipe.zadd(self._key("pending"), {task.id: seq})
            pipe.zadd(self._key("pending", owner), {task.id: seq})
            pipe.execute()

    def load(self, task_id: str, *, now: float, with_results: bool = False) -> TaskView | None:
        with self._guard():
            raw = self._db.hgetall(self._key("task", task_id))
            if not raw:
                return None
            row = {text(k): text(v) for k, v in raw.items()}
            if float(row["expires_at"]) <= now:
                return None
            status = TaskStatus(row["status"])
            results: tuple[Artifact, ...] | None = None
            if with_results and status is TaskStatus.COMPLETED:
                entries = self._db.lrange(self._key("results", task_id), 0, -1)
                results = tuple(_artifact(e) for e in entries)
        return TaskView(
            id=task_id,
            family=Family(row["family"]),
            owner=None if row["owner"] == _NOBODY else row["owner"],
            status=status,
            created_at=float(row["created_at"]),
            updated_at=float(row["updated_at"]),
            expires_at=float(row["expires_at"]),
            attempts=int(row["attempts"]),
            messages=tuple(json.loads(row["messages"])),
            warnings=tuple(json.loads(row["warnings"])),
            results=results,
        )

    def load_input(self, task_id: str) -> TaskInput | None:
        with self._guard():
            pipe = self._db.pipeline(transaction=False)
            pipe.hget(self._key("task", task_id), "settings")
            pipe.get(self._key("input", task_id))
            settings, data = pipe.execute()
        if settings is None or data is None:
            return None
        return TaskInput(settings=settings_from_dict(json.loads(settings)), data=bytes(data))

    def apply(
        self, task_id: str, change: TaskChange, *, expect: TaskStatus, holder: str | None = None
    ) -> bool:
        def text(value: float | None) -> str:
            return "" if value is None else repr(value)

        mark = (task_id, expect.value, holder or "", change.status.value)
        token = self._unconfirmed.get(mark) or secrets.token_hex(8)
        args: list[Any] = [
            expect.value,
            holder or "",
            change.status.value,
            text(change.at),
            change.worker or "",
            text(change.started_at),
            text(change.deadline),
            "1" if change.count_attempt else "0",
            "\0" if change.messages is None else json.dumps(list(change.messages)),
            "\0" if change.warnings is None else json.dumps(list(change.warnings)),
            self._p,
            token,
        ]
        if change.results:
            args += [a.kind.value.encode() + b"\n" + a.data for a in change.results]
        keys = [
            self._key("task", task_id),
            self._key("input", task_id),
            self._key("results", task_id),
            self._key("pending"),
            self._key("running"),
            self._key("pages", task_id),
            self._key("parts", task_id),
        ]
        try:
            with self._guard():
                applied = bool(self._apply(keys=keys, args=args))
        except Unavailable:
            # Redis may have run the script and died before its reply arrived (a restart): the
            # caller's retry of this same change must then hear "applied", not "lost the race"
            # (the client's own retries on a new connection resend the token, so are covered)
            if len(self._unconfirmed) >= _UNCONFIRMED_CAP:
                self._unconfirmed.clear()
            self._unconfirmed[mark] = token
            raise
        self._unconfirmed.pop(mark, None)
        return applied

    def pending(self, *, limit: int) -> list[str]:
        with self._guard():
            ids = [text(i) for i in self._db.zrange(self._key("pending"), 0, limit - 1)]
        return ids

    def count_pending(self, owner: str | None = None) -> int:
        """How many tasks wait (of ``owner``, or of everyone)."""
        key = self._key("pending", owner) if owner else self._key("pending")
        with self._guard():
            return int(self._db.zcard(key))

    def running(self) -> list[RunningTask]:
        with self._guard():
            ids = [text(i) for i in self._db.smembers(self._key("running"))]
            pipe = self._db.pipeline(transaction=False)
            for task_id in ids:
                pipe.hmget(
                    self._key("task", task_id),
                    ["status", "worker", "started_at", "deadline", "attempts"],
                )
            rows = pipe.execute()
        out = []
        for task_id, row in zip(ids, rows, strict=True):
            status, worker, started, deadline, attempts = row
            if status is None or text(status) != TaskStatus.PROCESSING.value:
                continue
            out.append(
                RunningTask(
                    id=task_id,
                    worker=text(worker) if worker else "",
                    started_at=_num(started) or 0.0,
                    deadline=_num(deadline) or float("inf"),
                    attempts=int(attempts or 0),
                )
            )
        return out

    def delete(self, task_id: str) -> bool:
        with self._guard():
            key = self._key("task", task_id)
            owner = self._db.hget(key, "owner")
            pipe = self._db.pipeline(transaction=True)
            pipe.delete(
                key,
                self._key("input", task_id),
                self._key("results", task_id),
                self._key("pages", task_id),
                self._key("parts", task_id),
            )
            pipe.zrem(self._key("pending"), task_id)
            pipe.srem(self._key("running"), task_id)
            if owner:
                pipe.zrem(self._key("pending", text(owner)), task_id)
            removed = pipe.execute()[0]
        return bool(removed)

    def expire(self, *, now: float) -> int:
        """Redis drops expired records itself; this removes their ids from the sets."""
        removed = 0
        with self._guard():
            for set_key in self._set_keys():
                is_zset = self._db.type(set_key) == b"zset"
                members = self._db.zrange(set_key, 0, -1) if is_zset else self._db.smembers(set_key)
                ids = [text(m) for m in members]
                pipe = self._db.pipeline(transaction=False)
                for task_id in ids:
                    pipe.exists(self._key("task", task_id))
                gone = [i for i, alive in zip(ids, pipe.execute(), strict=True) if not alive]
                if gone:
                    if is_zset:
                        self._db.zrem(set_key, *gone)
                    else:
                        self._db.srem(set_key, *gone)
                    if set_key in (self._key("pending"), self._key("running")):
                        removed += len(gone)
        return removed

    def _set_keys(self) -> list[str]:
        keys = [self._key("pending"), self._key("running")]
        for key in self._db.scan_iter(match=f"{self._key('pending')}:*", count=500):
            keys.append(text(key))
        return keys

    def storage_state(self) -> StorageState:
        """Room left: Redis's memory against its ``maxmemory`` (0 = unlimited)."""
        try:
            info = self._db.info("memory")
        except redis.exceptions.RedisError:
            return StorageState(
                free_bytes=0,
                store_bytes=0,
                problems=("the task store (Redis) is unreachable",),
            )
        used = int(info.get("used_memory", 0))
        limit = int(info.get("maxmemory", 0))
        problems: tuple[str, ...] = ()
        if limit and used >= 0.95 * limit:
            problems = (f"Redis uses {used >> 20} of its {limit >> 20} MiB",)
        return StorageState(
            free_bytes=max(0, limit - used) if limit else 1 << 62,
            store_bytes=used,
            problems=problems,
        )

    # -- page jobs --------------------------------------------------------------------------

    def plan_pages(self, task_id: str, count: int) -> None:
        keys = [self._key("task", task_id), self._key("pages", task_id), self._key("open-pages")]
        with self._guard():
            self._plan(keys=keys, args=[count, task_id])

    def claim_page(self, task_id: str, worker: str) -> PageJob | None:
        keys = [self._key("pages", task_id), self._key("open-pages"), self._key("held-pages")]
        with self._guard():
            got = self._claim_page(keys=keys, args=[worker, task_id])
        if not got:
            return None
        index, attempts = (int(v) for v in got)
        return PageJob(
            task_id=task_id, index=index, state=PageState.HELD, worker=worker, attempts=attempts
        )

    def _settle(
        self, task_id: str, index: int, worker: str, state: PageState, message: str, part: bytes
    ) -> bool:
        keys = [
            self._key("task", task_id),
            self._key("pages", task_id),
            self._key("parts", task_id),
            self._key("held-pages"),
            self._key("open-pages"),
        ]
        with self._guard():
            return bool(
                self._settle_page(
                    keys=keys, args=[index, worker, state.value, message, task_id, part]
                )
            )

    def finish_page(
        self, task_id: str, index: int, worker: str, *, part: bytes, failed: str | None = None
    ) -> bool:
        if failed is None:
            return self._settle(task_id, index, worker, PageState.DONE, "", part)
        return self._settle(task_id, index, worker, PageState.FAILED, failed, b"")

    def reopen_page(
        self, task_id: str, index: int, worker: str, *, failed: str | None = None
    ) -> bool:
        state = PageState.OPEN if failed is None else PageState.FAILED
        return self._settle(task_id, index, worker, state, failed or "", b"")

    def pages(self, task_id: str) -> list[PageJob]:
        with self._guard():
            raw = self._db.hgetall(self._key("pages", task_id))
        row = {text(k): text(v) for k, v in raw.items()}
        return [_page_job(task_id, i, row) for i in range(int(row.get("n", 0)))]

    def load_page(self, task_id: str, index: int) -> bytes | None:
        with self._guard():
            part = self._db.hget(self._key("parts", task_id), str(index))
        return part if isinstance(part, bytes) else None

    def held_pages(self) -> list[PageJob]:
        held_key = self._key("held-pages")
        with self._guard():
            members = [text(m) for m in self._db.smembers(held_key)]
            pipe = self._db.pipeline(transaction=False)
            places: list[tuple[str, int]] = []
            for member in members:
                task_id, _, number = member.rpartition(" ")
                places.append((task_id, int(number)))
                pipe.hmget(
                    self._key("pages", task_id), [f"s:{number}", f"w:{number}", f"a:{number}"]
                )
            rows = pipe.execute()
            out, stale = [], []
            for member, (task_id, index), (state, worker, attempts) in zip(
                members, places, rows, strict=True
            ):
                if state is None or text(state) != PageState.HELD.value:
                    stale.append(member)  # settled, or its task is gone
                    continue
                job = PageJob(
                    task_id=task_id,
                    index=index,
                    state=PageState.HELD,
                    worker=text(worker),
                    attempts=int(attempts or 0),
                )
                out.append(job)
            if stale:
                self._db.srem(held_key, *stale)
        return out

    def open_page_tasks(self, *, limit: int) -> list[str]:
        with self._guard():
            ids = [text(i) for i in self._db.zrange(self._key("open-pages"), 0, limit - 1)]
            pipe = self._db.pipeline(transaction=False)
            for task_id in ids:
                pipe.exists(self._key("pages", task_id))
            alive = pipe.execute()
            gone = [i for i, there in zip(ids, alive, strict=True) if not there]
            if gone:  # final, deleted or expired: its pages went with it
                self._db.zrem(self._key("open-pages"), *gone)
        return [i for i in ids if i not in gone]

    # -- worker liveness --------------------------------------------------------------------

    def beat(self, worker: str, ttl: float) -> None:
        """Say that ``worker`` is alive for the next ``ttl`` seconds."""
        with self._guard():
            self._db.set(self._key("worker", worker), repr(time.time()), px=int(ttl * 1000))

    def forget_worker(self, worker: str) -> None:
        """A worker stopping cleanly says so at once."""
        with self._guard():
            self._db.delete(self._key("worker", worker))

    def live_workers(self) -> set[str]:
        """Every worker whose heartbeat has not expired."""
        prefix = self._key("worker") + ":"
        with self._guard():
            return {
                text(k)[len(prefix) :] for k in self._db.scan_iter(match=f"{prefix}*", count=500)
            }

    def signing_key(self) -> bytes:
        """The token signing key every API node shares, created by the first one to ask."""
        key = self._key("signing-key")
        with self._guard():
            self._db.set(key, secrets.token_hex(32), nx=True)
            value = self._db.get(key)
        return text(value).encode()

    # -- clients ----------------------------------------------------------------------------

    def add_client(self, record: ClientRecord) -> None:
        with self._guard():
            key = self._key("client", record.client_id)
            if not self._db.hsetnx(key, "client_id", record.client_id):
                raise KeyError(f"client {record.client_id} exists")
            self._db.hset(
                key,
                mapping={
                    "name": record.name,
                    "secret_hash": record.secret_hash,
                    "created_at": repr(record.created_at),
                    "disabled": "1" if record.disabled else "0",
                },
            )
            self._db.zadd(self._key("clients"), {record.client_id: record.created_at})

    def get_client(self, client_id: str) -> ClientRecord | None:
        with self._guard():
            raw = self._db.hgetall(self._key("client", client_id))
        return _client(raw) if raw else None

    def list_clients(self) -> list[ClientRecord]:
        with self._guard():
            ids = [text(i) for i in self._db.zrange(self._key("clients"), 0, -1)]
            pipe = self._db.pipeline(transaction=False)
            for client_id in ids:
                pipe.hgetall(self._key("client", client_id))
            rows = pipe.execute()
        return [_client(r) for r in rows if r]

    def set_client_disabled(self, client_id: str, disabled: bool) -> bool:
        key = self._key("client", client_id)
        with self._guard():
            if not self._db.exists(key):
                return False
            self._db.hset(key, "disabled", "1" if disabled else "0")
        return True


def _artifact(entry: Any) -> Artifact:
    kind, _, data = bytes(entry).partition(b"\n")
    return Artifact(kind=ArtifactKind(kind.decode()), data=data)


def _page_job(task_id: str, index: int, row: dict[str, str]) -> PageJob:
    return PageJob(
        task_id=task_id,
        index=index,
        state=PageState(row.get(f"s:{index}", PageState.OPEN.value)),
        worker=row.get(f"w:{index}") or None,
        attempts=int(row.get(f"a:{index}", 0)),
        message=row.get(f"m:{index}", ""),
    )


def _client(raw: Any) -> ClientRecord:
    row = {text(k): text(v) for k, v in raw.items()}
    return ClientRecord(
        client_id=row["client_id"],
        name=row["name"],
        secret_hash=row["secret_hash"],
        created_at=float(row["created_at"]),
        disabled=row["disabled"] == "1",
    )
