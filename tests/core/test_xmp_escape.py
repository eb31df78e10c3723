"""xmp_edit escapes values as xml.sax.saxutils.escape did (without importing it: it pulls in
urllib.request and http.client at every CLI start), both into an existing dc:subject bag and
into a new one."""

from __future__ import annotations

from xml.sax.saxutils import escape

from photoclip.core import xmp_edit

ODD = ["Tom & Jerry", "<b>bold</b>", "a > b < c", "&amp; already", "plain"]
SIDECAR = """<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
{subject} </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""
BAG = """   <dc:subject>
    <rdf:Bag>
     <rdf:li>old</rdf:li>
    </rdf:Bag>
   </dc:subject>
"""


def test_values_are_escaped_as_saxutils_did() -> None:
    assert [xmp_edit._escape(v) for v in ODD] == [escape(v) for v in ODD]
    for subject in (BAG, ""):  # an existing bag, and a new dc:subject
        out = xmp_edit.edit_keywords(SIDECAR.format(subject=subject), lambda v, s: True, ODD)
        assert out is not None
        for value in ODD:
            assert f"<rdf:li>{escape(value)}</rdf:li>" in out
