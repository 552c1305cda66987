"""Certificates: issued when a course is completed, rendered to PDF (the only package that imports WeasyPrint),
checked by anyone through their verification code, revoked or reissued by HR."""
