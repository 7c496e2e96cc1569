"""XML from outside goes through console.xmlsafe: bombs, external entities and DTDs refused.

The CAP 1.2 import (issue 7) will parse alerts with :func:`console.xmlsafe.parse`; these tests
pin what it refuses, fuzz it with damaged alerts, and check that no other module parses XML.
"""

from __future__ import annotations

import re
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.xmlsafe import MAX_DEPTH, UnsafeXml, parse
from tests.fuzz._helpers import mutated, refused

REPO = Path(__file__).resolve().parents[2]
CAP = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">\n'
    b"  <identifier>43b080713727</identifier>\n  <sender>hsas@dhs.gov</sender>\n"
    b"  <sent>2003-04-02T14:39:01-05:00</sent>\n  <status>Actual</status>\n"
    b"  <msgType>Alert</msgType>\n  <scope>Public</scope>\n"
    b"  <info><category>Security</category><event>\xe6\xb5\x8b\xe8\xaf\x95</event>"
    b"<urgency>Immediate</urgency><severity>Severe</severity><certainty>Likely</certainty>"
    b"<area><areaDesc>U.S. nationwide</areaDesc></area></info>\n</alert>\n"
)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<alert><identifier>&lol9;</identifier></alert>"""

QUADRATIC_BLOWUP = (
    b'<?xml version="1.0"?>\n<!DOCTYPE alert [<!ENTITY a "'
    + b"x" * 50_000
    + b'">]>\n<alert><identifier>'
    + b"&a;" * 50_000
    + b"</identifier></alert>"
)

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<alert><identifier>&secret;</identifier></alert>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<alert/>"""


def test_a_cap_alert_parses() -> None:
    root = parse(CAP)
    assert root.tag == "{urn:oasis:names:tc:emergency:cap:1.2}alert"
    ns = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
    assert root.findtext("cap:info/cap:event", namespaces=ns) == "测试"


@pytest.mark.parametrize(
    "document",
    [BILLION_LAUGHS, QUADRATIC_BLOWUP, EXTERNAL_ENTITY, PARAMETER_ENTITY],
    ids=["billion-laughs", "quadratic-blowup", "external-entity", "parameter-entity"],
)
def test_entity_attacks_are_refused_quickly(document: bytes) -> None:
    started = time.monotonic()
    with pytest.raises(UnsafeXml) as caught:
        parse(document)
    refused(caught.value, "xml")
    assert "DTD" in caught.value.errors["xml"]
    assert time.monotonic() - started < 5  # refused before any expansion, not after


def test_dtd_retrieval_is_refused_without_any_request() -> None:
    """A DOCTYPE naming an external DTD must not make the console fetch it."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY x "fetched">')

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        for document in (
            f'<?xml version="1.0"?>\n<!DOCTYPE alert SYSTEM "http://127.0.0.1:{port}/a.dtd">\n'
            "<alert>&x;</alert>",
            f'<?xml version="1.0"?>\n<!DOCTYPE alert PUBLIC "-//X//Y" '
            f'"http://127.0.0.1:{port}/b.dtd">\n<alert/>',
        ):
            with pytest.raises(UnsafeXml) as caught:
                parse(document)
            refused(caught.value, "xml")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert requests == []


@pytest.mark.parametrize("encoding", ["GB2312", "GBK", "GB18030", "UTF-16", "UTF-8"])
def test_chinese_feeds_in_their_declared_encoding_parse(encoding: str) -> None:
    """expat reads no multi-byte encodings: GB2312/GBK/GB18030 are decoded before parsing."""
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<alert><event>暴雨红色预警</event></alert>'
    )
    assert parse(text.encode(encoding)).findtext("event") == "暴雨红色预警"


def test_an_unknown_or_wrong_encoding_is_refused() -> None:
    """Regression: LookupError (unknown encoding) came out of parse."""
    for document in (
        b'<?xml version="1.0" encoding="TTF-8"?><alert/>',
        b'<?xml version="1.0" encoding="GB2312"?><alert>\xff\xff</alert>',
    ):
        with pytest.raises(UnsafeXml) as caught:
            parse(document)
        refused(caught.value, "xml")
    with pytest.raises(UnsafeXml, match="DTD"):
        parse(b'<?xml version="1.0" encoding="GBK"?>' + BILLION_LAUGHS.split(b"?>", 1)[1])


def test_size_and_depth_limits() -> None:
    with pytest.raises(UnsafeXml):
        parse(b"<a>" + b"x" * 100 + b"</a>", max_bytes=50)
    deep = b"<a>" * (MAX_DEPTH + 1) + b"</a>" * (MAX_DEPTH + 1)
    with pytest.raises(UnsafeXml) as caught:
        parse(deep)
    assert "嵌套太深" in caught.value.errors["xml"]
    very_deep = b"<a>" * 200_000 + b"</a>" * 200_000
    with pytest.raises(UnsafeXml):
        parse(very_deep)
    assert parse(b"<a>" * MAX_DEPTH + b"</a>" * MAX_DEPTH).tag == "a"


@given(
    document=st.one_of(
        mutated([CAP, CAP.replace(b"UTF-8", b"GB18030"), BILLION_LAUGHS, EXTERNAL_ENTITY]),
        st.binary(max_size=60),
        st.text(max_size=60),
    )
)
def test_any_document_parses_or_is_refused_with_unsafe_xml(document: bytes | str) -> None:
    try:
        root = parse(document)
    except UnsafeXml as exc:
        refused(exc, "xml")
        return
    assert isinstance(root.tag, str)
    assert "lol" not in "".join(root.itertext())  # no entity was ever expanded


_XML_PARSER = re.compile(r"^\s*(?:from|import)\s+(?:xml\.(?:etree|dom|sax|parsers)|lxml)\b", re.M)
_SAFE = re.compile(r"^\s*(?:from|import)\s+(?:defusedxml|console\.xmlsafe)\b", re.M)


def test_every_module_reading_xml_goes_through_defusedxml() -> None:
    """Code that imports an XML library must read outside XML through defusedxml.

    console.xmlsafe.parse is the simple way; a module with its own needs (schema checks with
    lxml after defusedxml has accepted the bytes) imports defusedxml itself.
    """
    offenders = [
        str(path.relative_to(REPO))
        for folder in ("console", "widgets", "devices")
        for path in (REPO / folder).rglob("*.py")
        if _XML_PARSER.search(text := path.read_text("utf-8")) and not _SAFE.search(text)
    ]
    assert offenders == []
