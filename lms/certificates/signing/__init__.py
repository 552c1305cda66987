"""Certificates that prove themselves (issue 15): issuer keys, the signed QR payload, the status list, the sealed
PDF (seal.py) and the Open Badges 3.0 credential."""
