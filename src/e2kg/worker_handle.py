"""One query worker as the service process sees it: the process, its end of the pipe, its snapshot
directory and store generation; reading its messages, stopping it, and its errors rebuilt as
e2kg errors (see ``e2kg.worker_process`` for the messages).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from e2kg import errors
from e2kg.errors import E2kgError, StoreError


@dataclass(eq=False)
class Worker:
    """A worker process, its end of the pipe, its snapshot directory and the store generation."""

    process: BaseProcess
    connection: Connection
    directory: Path
    generation: int
    pending: list[tuple[object, ...]] = field(default_factory=list)
    """Messages of a "whole" answer not read yet (its start, chunk and end)."""

    def answered(self, timeout: float) -> bool:
        """Whether a message can be read within ``timeout`` seconds."""
        return bool(self.pending) or self.connection.poll(timeout)

    def read(self) -> tuple[object, ...]:
        """The next message; a "whole" answer is read as the start, chunk and end it stands for.
        StoreError when the process is gone."""
        if self.pending:
            return self.pending.pop(0)
        try:
            message: tuple[object, ...] = self.connection.recv()
        except (EOFError, OSError) as error:
            raise StoreError("the query worker ended unexpectedly") from error
        if message[0] == "whole":
            _, form, answered_type, body = message
            self.pending = [("chunk", body), ("end",)]
            return ("start", form, answered_type)
        return message

    def stop(self, *, kill: bool) -> None:
        """End the process (SIGKILL when ``kill``) and remove its snapshot."""
        if kill:
            self.process.kill()
        else:
            try:
                self.connection.send(("stop",))
            except (OSError, ValueError):
                self.process.kill()
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=10)
        self.connection.close()
        shutil.rmtree(self.directory, ignore_errors=True)


def rebuild_error(message: tuple[object, ...]) -> E2kgError:
    """The worker's ``("error", name, text, detail)`` message as the same class in this process."""
    _, name, text, detail = message
    cls = getattr(errors, str(name), None)
    details = detail if isinstance(detail, dict) else {}
    if isinstance(cls, type) and issubclass(cls, E2kgError):
        try:
            return cls(str(text), detail=details)
        except TypeError:
            pass
    return StoreError(str(text), detail=details)
