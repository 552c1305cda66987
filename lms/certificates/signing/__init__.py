"""Certificates that prove themselves: the issuer's Ed25519 keys (keys.py), the signed payload in the printed QR
code (payload.py), the signed status list of revoked and superseded certificates (status_list.py), and the routes
that publish the keys and the list for verifiers to cache."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.certificates.cli import certificates_cli
    from lms.certificates.signing import routes
    from lms.certificates.signing.cli import keys_cli

    app.register_blueprint(routes.bp)
    certificates_cli.add_command(keys_cli)
