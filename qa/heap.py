"""The chat server's memory under load: glibc's heap tuned so it does not grow with the number of
threads and the variety of replies (measured with bench/serving.py --load)."""

from __future__ import annotations

import ctypes
import threading
import time


def keep_heap_small(arenas: int = 2, mmap_threshold: int = 1024 * 1024, trim_every: float = 10.0) -> None:
    """Keep glibc's heap from growing with load (measured with bench/serving.py --load):

    - cap its arenas: every thread that answers (Gradio runs handlers on up to 40) otherwise gets
      one of its own;
    - give blocks over ``mmap_threshold`` (the reader's activations, ~1.5 MB for 4 windows) their
      own mapping, returned to the system when freed;
    - every ``trim_every`` seconds hand the heap's free pages back (malloc_trim), which the
      varied sizes of replies and passages otherwise leave scattered.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-8, arenas)  # M_ARENA_MAX
        libc.mallopt(-3, mmap_threshold)  # M_MMAP_THRESHOLD (a fixed one also stops glibc raising it)
    except (OSError, AttributeError):  # not glibc: nothing to tune
        return

    def trim() -> None:
        while True:
            time.sleep(trim_every)
            libc.malloc_trim(0)

    threading.Thread(target=trim, daemon=True, name="malloc-trim").start()
