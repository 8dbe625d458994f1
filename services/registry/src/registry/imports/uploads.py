"""The uploaded file, kept until its job is done: sealed chunks in a collection, deleted when no longer needed.

FerretDB 1.x has no GridFS, so the file is split into chunks. The upload holds plaintext ID numbers and
phones, so each chunk is sealed with the PII key like any other identifier at rest (never stored in the
clear), and the chunks are deleted when the job finishes, successfully or for good.
"""

from __future__ import annotations

import base64
import hashlib
import io
from typing import IO

from gridline.mongo import ASCENDING, Database, Index
from gridline.pii import Protector

COLLECTION = "import_uploads"
INDEXES = [Index(COLLECTION, (("upload_id", ASCENDING), ("n", ASCENDING)), unique=True)]
CHUNK_BYTES = 512 * 1024  # sealed and base64-encoded twice, a chunk is stored as about 0.9 MB
CONTEXT = "import.upload"
MAX_BYTES = 20 * 1024 * 1024


def sha256(file: IO[bytes]) -> str:
    """The content's digest: the fingerprint a retry with the same Idempotency-Key must match."""
    file.seek(0)
    digest = hashlib.sha256()
    while chunk := file.read(CHUNK_BYTES):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def upload_id(import_id: str, digest: str) -> str:
    """Chunks are named by content too, so a request that reuses a key with another file cannot overwrite them."""
    return f"{import_id}.{digest[:16]}"


async def store(*, db: Database, protector: Protector, upload_id: str, file: IO[bytes]) -> int:
    """Store the file as sealed chunks; returns how many. Storing the same file again changes nothing."""
    file.seek(0)
    n = 0
    while chunk := file.read(CHUNK_BYTES):
        sealed = protector.seal(base64.b64encode(chunk).decode(), context=CONTEXT)
        await db[COLLECTION].replace_one(
            {"_id": f"{upload_id}:{n:05d}"}, {"upload_id": upload_id, "n": n, "data": sealed}, upsert=True
        )
        n += 1
    return n


class UploadMissing(Exception):
    """The upload's chunks are gone: nothing left to import (the job fails rather than import nothing)."""


async def load(*, db: Database, protector: Protector, upload_id: str) -> IO[bytes]:
    """The file again, as a seekable binary file the caller closes.

    Rebuilt in memory (at most MAX_BYTES), never in a temporary file: the plaintext sheet stays off the disk.
    """
    spool = io.BytesIO()
    cursor = db[COLLECTION].find({"upload_id": upload_id}).sort("n", ASCENDING).batch_size(4)
    async for chunk in cursor:
        spool.write(base64.b64decode(protector.open(chunk["data"], context=CONTEXT)))
    if spool.tell() == 0:
        raise UploadMissing(upload_id)
    spool.seek(0)
    return spool


async def delete(*, db: Database, upload_id: str) -> None:
    await db[COLLECTION].delete_many({"upload_id": upload_id})
