"""Memory of a whole process tree (a server and every process it started), read from /proc."""

from __future__ import annotations

import threading
from pathlib import Path


def tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants, read from /proc."""
    total = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{pid}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue  # the process ended while being read
    return total


class TreeSampler:
    """Samples a process tree's resident size every 0.1 s in a background thread."""

    def __init__(self, root: int) -> None:
        self.root = root
        #: the tree's size when the sampler started (call it on an idle server)
        self.baseline = tree_rss(root)
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, tree_rss(self.root))

    def reset(self) -> None:
        self.peak = tree_rss(self.root)

    @property
    def grown(self) -> int:
        """The largest size seen since :meth:`reset`, over the baseline, bytes."""
        return self.peak - self.baseline

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
