"""Base64url without padding (RFC 7515 §2): how keys, signatures, chains and exam packages travel as text."""
import base64


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_b64url(text: str) -> bytes:
    """ValueError (binascii.Error) when `text` is not base64url."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
