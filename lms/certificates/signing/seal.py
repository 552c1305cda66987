"""The seal on a stored certificate PDF: a PAdES baseline signature (B-B; B-T when LMS_SEAL_TSA_URL names a
timestamp authority), invisible, added as an incremental update so the PDF/A-3b document stays as WeasyPrint wrote
it. Any PDF reader shows who sealed it and that nothing changed since.

The key comes from the configuration, first match wins:
- LMS_SEAL_PKCS12 (a .p12/.pfx file holding the key, its certificate and chain) + LMS_SEAL_PKCS12_PASSWORD;
- LMS_SEAL_PKCS11_MODULE (the token's PKCS#11 library), LMS_SEAL_PKCS11_TOKEN (token label), LMS_SEAL_PKCS11_KEY
  (label of the key and its certificate), LMS_SEAL_PKCS11_PIN;
- in demo and test mode: the demo authority in the instance folder (`flask --app lms certificates seal demo`
  makes it; made on first use otherwise), a self-signed root and a seal certificate it issued. Never trusted by
  anyone else: it shows the mechanism only.
In production with none of them, PDFs are not sealed (`sealing_configured()` says so; the README says how).
Print stacks are never sealed: they are paper.
"""
import asyncio
import datetime as dt
import io
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from flask import current_app

DEMO_FOLDER = "seal"
DEMO_ROOT = "demo-root.pem"
DEMO_SEAL = "demo-seal.p12"
FIELD = "Seal"


class SealError(RuntimeError):
    """The configured seal cannot be used (a wrong password, a missing token): said at the first PDF."""


@dataclass(frozen=True)
class DemoAuthority:
    root_pem: Path
    seal_p12: Path
    created: bool


def sealing_configured() -> bool:
    config = current_app.config
    return bool(config.get("LMS_SEAL_PKCS12") or config.get("LMS_SEAL_PKCS11_MODULE")
                or config["LMS_ENV"] in ("demo", "test"))


def seal_pdf(content: bytes) -> bytes:
    """`content` sealed, or as it is when no seal is configured (production without a key)."""
    if not sealing_configured():
        return content
    from pyhanko.sign import fields, signers

    config = current_app.config
    signer, session = _signer()
    try:
        timestamper = None
        if url := config.get("LMS_SEAL_TSA_URL"):
            from pyhanko.sign.timestamps import HTTPTimeStamper
            timestamper = HTTPTimeStamper(url, timeout=10)
        meta = signers.PdfSignatureMetadata(field_name=FIELD, md_algorithm="sha256",
                                            subfilter=fields.SigSeedSubFilter.PADES,
                                            use_pades_lta=False, embed_validation_info=False)
        writer = _keep_metadata_writer()(io.BytesIO(content))
        out = _outside_any_event_loop(signers.sign_pdf, writer, meta, signer=signer, timestamper=timestamper,
                                      new_field_spec=fields.SigFieldSpec(FIELD, box=None),
                                      bytes_reserved=None if timestamper else _room_for(signer))
        return out.getvalue()
    finally:
        if session is not None:
            session.close()


def _outside_any_event_loop(call, *args, **kwargs):
    """pyHanko's synchronous calls run their own event loop (asyncio.run), which fails where one is already
    running in this thread (a caller driving Playwright or an async server): then the call gets a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call, *args, **kwargs).result()


_cache: dict = {}


def _room_for(signer) -> int:
    """Hex digits to reserve for the signature container: its certificates plus 2 KB for the signed attributes
    and the signature (about 300 bytes and, for RSA-4096, 512 bytes). Saves pyHanko's estimate, a whole dry-run
    signature (half the cost of a seal); with a timestamp authority the token's size is unknown, so it estimates."""
    certificates = [signer.signing_cert, *signer.cert_registry]
    return 2 * (sum(len(c.dump()) for c in certificates if c is not None) + 2048)


@cache
def _keep_metadata_writer() -> type:
    """A pyHanko writer that leaves the document information and XMP metadata as WeasyPrint wrote them: pyHanko
    would otherwise set the XMP producer to itself and append itself to the Info producer, which then disagree
    (PDF/A-3b says they must be equal). The signature dictionary carries the signing time. Made at the first seal:
    a web worker that never seals does not import pyHanko."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class KeepMetadata(IncrementalPdfFileWriter):
        def _update_meta(self):
            pass

    return KeepMetadata


def _signer():
    """(signer, PKCS#11 session to close or None). A PKCS#12 signer is kept per file and modification time."""
    from pyhanko.sign import signers

    config = current_app.config
    path, password = config.get("LMS_SEAL_PKCS12"), config.get("LMS_SEAL_PKCS12_PASSWORD") or None
    if not path and (module := config.get("LMS_SEAL_PKCS11_MODULE")):
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11
        session = pkcs11.open_pkcs11_session(
            module, token_criteria=TokenCriteria(label=config.get("LMS_SEAL_PKCS11_TOKEN") or None),
            user_pin=config.get("LMS_SEAL_PKCS11_PIN") or None)
        label = config.get("LMS_SEAL_PKCS11_KEY")
        # Hashing on the host and signing the digest with the raw mechanism (CKM_ECDSA, CKM_RSA_PKCS) works with
        # every token; SoftHSM2, for one, has no CKM_ECDSA_SHA256.
        return pkcs11.PKCS11Signer(session, cert_label=label, key_label=label, use_raw_mechanism=True), session
    if not path:
        path, password = str(demo_authority().seal_p12), None
    key = (path, os.stat(path).st_mtime_ns)
    if key not in _cache:
        signer = signers.SimpleSigner.load_pkcs12(path, passphrase=password.encode() if password else None)
        if signer is None:
            raise SealError(f"cannot read the seal's PKCS#12 file {path} (wrong password?)")
        _cache.clear()
        _cache[key] = signer
    return _cache[key], None


def demo_authority(now: dt.datetime | None = None) -> DemoAuthority:
    """The demo authority of this instance, made when missing (idempotent, safe when two processes race: the
    files are linked into place, the first one stays)."""
    folder = Path(current_app.instance_path) / DEMO_FOLDER
    root_pem, seal_p12 = folder / DEMO_ROOT, folder / DEMO_SEAL
    if root_pem.exists() and seal_p12.exists():
        return DemoAuthority(root_pem, seal_p12, created=False)
    folder.mkdir(parents=True, exist_ok=True)
    created = not seal_p12.exists() and _place(seal_p12, _make_demo(now or dt.datetime.now(dt.UTC)))
    if not root_pem.exists():  # the root comes from the PKCS#12 file's chain: the pair always matches
        _, _, chain = pkcs12.load_key_and_certificates(seal_p12.read_bytes(), None)
        _place(root_pem, chain[0].public_bytes(serialization.Encoding.PEM))
    return DemoAuthority(root_pem, seal_p12, created=created)


def _place(path: Path, content: bytes) -> bool:
    """Write `content` to `path` unless it exists (atomically); whether it was written."""
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
        tmp.write(content)
    os.chmod(tmp.name, 0o600)
    try:
        os.link(tmp.name, path)
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(tmp.name)


def _make_demo(now: dt.datetime) -> bytes:
    """A PKCS#12 file (no password: demo only) of a seal certificate (5 years, EC P-256) and the self-signed root
    (10 years) that issued it."""
    start = now - dt.timedelta(days=1)
    root_key, seal_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "LMS demo certificate authority (not trusted)"),
                           x509.NameAttribute(NameOID.ORGANIZATION_NAME, "LMS demo")])
    seal_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "LMS demo certificate seal"),
                           x509.NameAttribute(NameOID.ORGANIZATION_NAME, "LMS demo")])
    root = (x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
            .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256()))
    seal = (x509.CertificateBuilder().subject_name(seal_name).issuer_name(root_name)
            .public_key(seal_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + dt.timedelta(days=1825))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(seal_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256()))
    return pkcs12.serialize_key_and_certificates(b"lms-demo-seal", seal_key, seal, [root],
                                                 serialization.NoEncryption())
