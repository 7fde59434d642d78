"""Shared by the two commands: a document to stdout or, atomically, to a file."""
import os
import tempfile


def write(document, output, stdout):
    if not output or output == "-":
        stdout.write(document)
        return
    directory = os.path.dirname(os.path.abspath(output))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".drf-sso-feed-")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(document + "\n")
        os.replace(tmp, output)  # readers see the old file or the new one, never a part
    except BaseException:
        os.unlink(tmp)
        raise
