"""gunicorn's sync worker, woken alone for each connection.

gunicorn's own (``gunicorn.workers.sync.SyncWorker``) waits for a connection in
``select()``, which wakes *every* worker waiting on the shared listening socket: each
connection woke all of them, and all but one went back to sleep (``EAGAIN``).

``ExclusiveSyncWorker`` waits in ``epoll`` with ``EPOLLEXCLUSIVE`` (Linux 4.5+),
which wakes one idle worker per connection, in a fixed order: the same few workers
take most connections, their memory still in the CPU's caches. Everything else
(accepting, parsing, the WSGI call, the response, signals, the arbiter's
heartbeat) is gunicorn's sync worker's. Where ``EPOLLEXCLUSIVE`` does not exist, or
with several listeners, it is gunicorn's worker unchanged. docs/PERFORMANCE.md
has the measurements.
"""

import errno
import os
import select

from gunicorn.workers.sync import SyncWorker

_IDLE = (errno.EAGAIN, errno.EWOULDBLOCK, errno.ECONNABORTED)


class ExclusiveSyncWorker(SyncWorker):
    def run(self) -> None:
        exclusive = getattr(select, "EPOLLEXCLUSIVE", None)
        if exclusive is None or len(self.sockets) != 1:
            return super().run()
        listener = self.sockets[0]
        listener.setblocking(False)
        timeout = self.timeout or 0.5
        with select.epoll() as poller:
            poller.register(listener.fileno(), select.EPOLLIN | exclusive)
            poller.register(self.PIPE[0], select.EPOLLIN)  # signals wake it too
            while self.alive:
                self.notify()
                try:
                    self.accept(listener)
                    continue  # another may be waiting already
                except OSError as error:
                    if error.errno not in _IDLE:
                        raise
                if not self.is_parent_alive():
                    return None
                for fd, _ in poller.poll(timeout):
                    if fd == self.PIPE[0]:
                        os.read(self.PIPE[0], 1)
        return None
