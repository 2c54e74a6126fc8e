"""A generator run in a child process, so that reading an archive (parsing JSON and Markdown,
extracting entities) takes one core while the database is written on the other.

The child sends its items in batches through a pipe, a few batches ahead at most, so memory
stays flat. A batch of plain values (tuples, strings, numbers) goes as `marshal`, which
loads twice as fast as pickle: the loader's own time is the build's other half. Where
processes can't be forked (Windows, macOS's default), the generator runs in this process.
"""

from __future__ import annotations

import ctypes
import marshal
import multiprocessing
import os
import pickle
import queue
import signal
import threading
from collections.abc import Callable, Iterable, Iterator

BATCH = 500
AHEAD = 8  # batches made ahead of the loader: a few MB


def in_child(
    produce: Callable[[], Iterator], close: Iterable[int] = (), batch: int = BATCH
) -> Iterator:
    """The items of produce(), made in a forked child process. An exception raised in the
    child is raised here (or, if it can't be pickled, a RuntimeError telling it). The child
    closes the file descriptors in `close` (locks it must not keep alive)."""
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:
        yield from produce()
        return
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=run_child, args=(produce, send, batch, list(close)), daemon=True)
    child.start()
    send.close()
    try:
        while True:
            try:
                kind, value = decode(receive.recv_bytes())
            except EOFError:
                child.join()
                raise RuntimeError(
                    f"the reading process stopped unexpectedly (exit status {child.exitcode})"
                ) from None
            if kind == "items":
                yield from value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        receive.close()
        if child.is_alive():
            child.terminate()
        child.join()


def run_child(produce: Callable[[], Iterator], send, batch: int, close: list[int]) -> None:
    die_with_parent()
    for fd in close:
        os.close(fd)
    # A thread sends while the producer goes on: the pipe's buffer alone would keep the two
    # processes in step, each waiting for the other to take or give a batch.
    outbox: queue.Queue = queue.Queue(maxsize=AHEAD)
    gone = threading.Event()

    def sender() -> None:
        while True:
            message = outbox.get()
            try:
                send.send_bytes(encode(message))
            except OSError:  # the parent is gone
                gone.set()
                return
            if message[0] != "items":
                return

    thread = threading.Thread(target=sender, daemon=True)
    thread.start()

    def post(message) -> None:
        while not gone.is_set():
            try:
                outbox.put(message, timeout=1)
                return
            except queue.Full:
                pass
        raise BrokenPipeError

    try:
        items = []
        for item in produce():
            items.append(item)
            if len(items) >= batch:
                post(("items", items))
                items = []
        post(("items", items))
        post(("end", None))
    except (KeyboardInterrupt, BrokenPipeError):
        pass  # the parent was interrupted or is gone: it tells the user
    except Exception as e:
        try:
            post(("error", picklable(e)))
        except BrokenPipeError:
            pass
    thread.join()
    send.close()


def encode(message: tuple) -> bytes:
    try:
        return b"m" + marshal.dumps(message)
    except ValueError:  # records, errors: not plain values
        return b"p" + pickle.dumps(message, pickle.HIGHEST_PROTOCOL)


def decode(data: bytes) -> tuple:
    """The message `encode` made (in our own child process: trusted data)."""
    if data[:1] == b"m":
        return marshal.loads(data[1:])
    return pickle.loads(data[1:])


def picklable(e: Exception) -> Exception:
    try:
        pickle.loads(pickle.dumps(e))
    except Exception:
        return RuntimeError(f"{type(e).__name__}: {e}")
    return e


def die_with_parent() -> None:
    """Linux: a reading process whose build was killed is killed too, not left blocked."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)
