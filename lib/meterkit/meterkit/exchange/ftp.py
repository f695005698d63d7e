# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A small FTP / FTPS (explicit TLS) client for exchange jobs: explicit
timeouts, bounded downloads, no global state."""

import fnmatch
import ftplib
import io
import posixpath
import ssl
from dataclasses import dataclass

from .. import codes
from ..errors import MeterkitError

__all__ = ["FtpEndpoint", "FtpSession"]


@dataclass(frozen=True)
class FtpEndpoint:
    """Where and how to connect.

    :ivar tls: FTPS with explicit TLS (``AUTH TLS``), data channel protected.
    :ivar verify: check the server's certificate (FTPS).
    """

    host: str
    port: int = 21
    username: str = "anonymous"
    password: str = ""
    tls: bool = False
    verify: bool = True
    timeout: float = 30.0
    max_bytes: int = 100_000_000

    def connect(self):
        """Open a session (use it as a context manager).

        :raise MeterkitError: ``BAD_FILE`` naming the server on any connection
            or login failure.
        """
        if self.tls:
            context = ssl.create_default_context()
            if not self.verify:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            client = ftplib.FTP_TLS(context=context, timeout=self.timeout)
        else:
            client = ftplib.FTP(timeout=self.timeout)
        try:
            client.connect(self.host, self.port, timeout=self.timeout)
            client.login(self.username, self.password)
            if self.tls:
                client.prot_p()
        except (OSError, EOFError, ftplib.Error) as error:
            client.close()
            raise self.error(f"cannot connect or log in: {error}") from error
        return FtpSession(self, client)

    @property
    def label(self):
        scheme = "ftps" if self.tls else "ftp"
        return f"{scheme}://{self.username}@{self.host}:{self.port}"

    def error(self, detail, path=None):
        where = self.label + (path or "")
        return MeterkitError(codes.BAD_FILE, f"{where}: {detail}")


class FtpSession:
    """An open FTP session; every failure is a :class:`MeterkitError`."""

    def __init__(self, endpoint, client):
        self.endpoint = endpoint
        self.client = client

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            self.client.quit()
        except (OSError, EOFError, ftplib.Error):
            self.client.close()

    def expand(self, path):
        """The files a remote path names: itself, or the files of a
        directory, or those matching a ``*`` / ``?`` pattern, sorted."""
        directory, pattern = posixpath.split(path)
        if any(char in pattern for char in "*?["):
            names = self._names(directory or ".")
            return sorted(
                posixpath.join(directory, name)
                for name in names
                if fnmatch.fnmatchcase(name, pattern)
            )
        home = self._call(self.client.pwd)
        try:
            self.client.cwd(path)
        except ftplib.error_perm:
            return [path]
        finally:
            self._call(self.client.cwd, home)
        return sorted(posixpath.join(path, name) for name in self._names(path))

    def _names(self, directory):
        try:
            entries = self.client.mlsd(directory, facts=["type"])
            return [name for name, facts in entries if facts.get("type") == "file"]
        except ftplib.error_perm:
            return [
                posixpath.basename(n) for n in self._call(self.client.nlst, directory)
            ]

    def read(self, path):
        """The bytes of a remote file, refused beyond ``max_bytes``."""
        buffer = io.BytesIO()
        limit = self.endpoint.max_bytes

        def write(block):
            if buffer.tell() + len(block) > limit:
                raise self.endpoint.error(f"larger than {limit} bytes", path)
            buffer.write(block)

        self._call(self.client.retrbinary, f"RETR {path}", write, path=path)
        return buffer.getvalue()

    def write(self, path, data):
        """Store ``data`` at ``path``: uploaded under a temporary name then
        renamed, so a reader never sees a half-written file."""
        partial = f"{path}.part"
        self._call(
            self.client.storbinary, f"STOR {partial}", io.BytesIO(data), path=path
        )
        self._call(self.client.rename, partial, path, path=path)

    def delete(self, path):
        self._call(self.client.delete, path, path=path)

    def _call(self, method, *args, path=None):
        try:
            return method(*args)
        except MeterkitError:
            raise
        except (OSError, EOFError, ftplib.Error) as error:
            raise self.endpoint.error(str(error), path) from error
