"""Chunks of Monte Carlo (or sweeps) on a Dask cluster.

The compiled model is scattered to every worker once (``broadcast=True``);
each task then receives only a seed and a chunk size. Chunk ``i`` always uses
seed child ``i``, so the result is identical to the single-process run for the
same seed, whatever the number of workers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import EngineError

__all__ = ["local_client", "map_chunks", "CONNECT_TIMEOUT_S"]

CONNECT_TIMEOUT_S = 10  # seconds to wait for a Dask scheduler before giving up


def local_client(workers: int = 2, scheduler: str | None = None, *, processes: bool = False) -> Any:
    """A Dask client: the given ``tcp://`` scheduler, or a local cluster running ``workers`` tasks at once.

    The local cluster is one worker with ``workers`` threads by default: the
    chunks spend their time in NumPy, which releases the GIL, and threads
    share the compiled model and return results without serialising them.
    On the project's 2-core machine 2 threads ran 2.89-2.99 s against 3.18-3.36 s
    for 2 processes (2,000,000 samples, best of 3; docs/performance.md).
    ``processes=True`` gives one single-threaded process per worker instead.
    """
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            _probe(scheduler)  # Client() itself waits forever on a peer that accepts and never answers
            return Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as exc:
            raise EngineError(
                f"no Dask scheduler answered at {scheduler} within {CONNECT_TIMEOUT_S} s ({type(exc).__name__})",
                hint="check the address (tcp://host:port) and that the scheduler runs; or drop --scheduler",
            ) from None
    if processes:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    else:
        cluster = LocalCluster(n_workers=1, threads_per_worker=workers, processes=False, dashboard_address=None)
    return Client(cluster)


def _probe(address: str) -> None:
    """Ask the scheduler who it is; raise TimeoutError/OSError unless it answers within CONNECT_TIMEOUT_S.

    Runs on its own event loop in a helper thread, so it works under a running
    loop too (a notebook).
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from distributed.comm import connect

    async def identity() -> object:
        comm = await connect(address, timeout=CONNECT_TIMEOUT_S)
        try:
            await comm.write({"op": "identity"})
            return await comm.read()
        finally:
            await comm.close()

    async def bounded() -> object:
        return await asyncio.wait_for(identity(), CONNECT_TIMEOUT_S)

    with ThreadPoolExecutor(1) as pool:
        answer = pool.submit(asyncio.run, bounded()).result()
    if not isinstance(answer, dict) or answer.get("type") != "Scheduler":
        raise ValueError("the peer is not a Dask scheduler")


def map_chunks(
    client: Any,
    fn: Callable[[Any, Any, int], dict],
    model: Any,
    chunks: list[tuple[Any, int]],
    progress: Callable[[int], None] | None = None,
) -> list[dict]:
    """Run ``fn(model, seed, size)`` for every chunk ``(seed, size)`` on the cluster; results in chunk order."""
    from distributed import as_completed

    remote = client.scatter(model, broadcast=True, hash=False)  # a fresh key: no race with a released one
    futures = [client.submit(fn, remote, s, n, pure=False) for s, n in chunks]
    index = {f.key: i for i, f in enumerate(futures)}
    results: list[Any] = [None] * len(futures)
    for future in as_completed(futures):
        results[index[future.key]] = future.result()
        if progress is not None:
            progress(chunks[index[future.key]][1])
    return results
