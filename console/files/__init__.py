"""Stored files: the content-addressed store (recordings, faxes, snapshots, documents)."""

from console.files.store import BlobState, ContentStore, StoredBlob, store_root_for

__all__ = ["BlobState", "ContentStore", "StoredBlob", "store_root_for"]
