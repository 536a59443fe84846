"""Issue 14, uploads: the type is checked from the content, not only from what the browser says."""
from __future__ import annotations

import pytest

from webapp.cases.dossier_actions import Upload, upload_errors

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
EXE = b"MZ\x90\x00" + b"\0" * 60
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"


@pytest.mark.parametrize("name, declared, content", [
    ("verslag.pdf", "application/pdf", PDF),
    ("foto.png", "image/png", PNG),
    ("notitie.txt", "text/plain", "ĳsje en 日本語".encode()),
])
def test_content_of_the_declared_type_is_accepted(name, declared, content):
    assert upload_errors(Upload(name, declared, content)) == []


@pytest.mark.parametrize("name, declared, content", [
    ("verslag.pdf", "application/pdf", EXE),
    ("verslag.pdf", "application/pdf", HTML),
    ("foto.png", "image/png", PDF),
    ("notitie.txt", "text/plain", EXE),
    ("notitie.txt", "text/plain", PDF),
    ("notitie.txt", "text/plain", b"abc\x00def"),
])
def test_content_that_is_something_else_is_refused(name, declared, content):
    [message] = upload_errors(Upload(name, declared, content))
    assert "past niet bij het soort bestand" in message
