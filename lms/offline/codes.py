"""The invigilator code and the packages it opens: 10 characters of Crockford's base32, shown grouped 5-5, never
stored; each seat's questions encrypted with AES-GCM under a key derived from it (PBKDF2-HMAC-SHA256), which
the exam page derives the same way with WebCrypto."""
import json
import os
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from lms.core.encoding import b64url, from_b64url
from lms.core.i18n import to_ascii_digits

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
CODE_LENGTH = 10
ITERATIONS = 310_000


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def grouped(code: str) -> str:
    return f"{code[:5]} {code[5:]}"


def normalize(typed: str) -> str:
    """The code as typed on a tablet: spaces and dashes dropped, upper case, Arabic-Indic digits as ASCII, the
    letters that look like digits read as those digits."""
    text = to_ascii_digits(typed).replace(" ", "").replace("-", "").upper()
    return text.translate(LOOK_ALIKES)


def new_salt() -> str:
    return b64url(os.urandom(16))


def derive_key(code: str, salt: str, iterations: int = ITERATIONS) -> bytes:
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=from_b64url(salt), iterations=iterations)
    return kdf.derive(normalize(code).encode("ascii"))


def aad(seat_id: int) -> str:
    return f"lms-seat:{seat_id}"


def seal(key: bytes, seat_id: int, plaintext: dict, salt: str, iterations: int = ITERATIONS) -> dict:
    """The encrypted part of a seat's package: how to derive the key, and the ciphertext."""
    iv = os.urandom(12)
    data = json.dumps(plaintext, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    ciphertext = AESGCM(key).encrypt(iv, data, aad(seat_id).encode("ascii"))
    return {"kdf": {"name": "PBKDF2", "hash": "SHA-256", "iterations": iterations, "salt": salt},
            "cipher": {"name": "AES-GCM", "iv": b64url(iv), "aad": aad(seat_id)},
            "ciphertext": b64url(ciphertext)}


def open_package(package: dict, code: str) -> dict:
    """The plaintext of a package (what the exam page does in the browser; tests and support use it)."""
    key = derive_key(code, package["kdf"]["salt"], package["kdf"]["iterations"])
    cipher = package["cipher"]
    data = AESGCM(key).decrypt(from_b64url(cipher["iv"]), from_b64url(package["ciphertext"]),
                               cipher["aad"].encode("ascii"))
    return json.loads(data)
