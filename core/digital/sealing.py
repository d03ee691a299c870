"""Keys at rest: sealed with AES-256-GCM, found again by a keyed hash.

Both keys come from one secret (``DIGITAL_GOODS_SECRET``, or without it ``JWT_SECRET``)
through HKDF-SHA256, so a database dump alone is not a list of valid keys. Each sealed key
is bound to its product (the product's id is the associated data), so a sealed key copied
onto another product does not open. Duplicates in a pool are told apart by an HMAC-SHA256
of the product and the key, unique per product, which reveals nothing without the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from bson import ObjectId
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12
INFO = b"telegram-shop digital goods v1"


class Sealer:
    def __init__(self, secret: bytes) -> None:
        material = HKDF(algorithm=hashes.SHA256(), length=64, salt=None, info=INFO).derive(secret)
        self._aead = AESGCM(material[:32])
        self._mac_key = material[32:]

    def seal(self, product_id: ObjectId, key: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, key.encode(), product_id.binary)

    def open(self, product_id: ObjectId, sealed: bytes) -> str:
        nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
        return self._aead.decrypt(nonce, body, product_id.binary).decode()

    def fingerprint(self, product_id: ObjectId, key: str) -> str:
        message = product_id.binary + key.encode()
        return hmac.new(self._mac_key, message, hashlib.sha256).hexdigest()
