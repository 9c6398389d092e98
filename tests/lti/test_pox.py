from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from lxml import etree

from pathways.lti import pox
from pathways.lti.pox import MAX_POX_BYTES
from pathways.lti.pox import PoxError
from pathways.lti.pox import PoxRequest
from pathways.lti.pox import PoxResponse
from pathways.lti.pox import build_delete_result
from pathways.lti.pox import build_read_result
from pathways.lti.pox import build_replace_result
from pathways.lti.pox import build_response
from pathways.lti.pox import parse_request
from pathways.lti.pox import parse_response

pytestmark = pytest.mark.unit

SOURCEDID = '{"data":{"instanceid":"88","userid":"42","launchid":9},"hash":"ab12"}'

XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<imsx_POXEnvelopeResponse xmlns="http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0">
  <imsx_POXHeader><imsx_POXResponseHeaderInfo>
    <imsx_version>V1.0</imsx_version><imsx_messageIdentifier>1</imsx_messageIdentifier>
    <imsx_statusInfo><imsx_codeMajor>success</imsx_codeMajor>
      <imsx_severity>status</imsx_severity><imsx_description>&e;</imsx_description>
    </imsx_statusInfo>
  </imsx_POXResponseHeaderInfo></imsx_POXHeader>
  <imsx_POXBody><readResultResponse/></imsx_POXBody>
</imsx_POXEnvelopeResponse>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<imsx_POXEnvelopeResponse><imsx_POXBody>&lol9;</imsx_POXBody></imsx_POXEnvelopeResponse>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE imsx_POXEnvelopeResponse SYSTEM "http://attacker.invalid/evil.dtd">
<imsx_POXEnvelopeResponse/>"""

MOODLE_REPLACE_RESPONSE = b"""<?xml version="1.0" encoding="UTF-8"?>
<imsx_POXEnvelopeResponse xmlns="http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0">
    <imsx_POXHeader>
        <imsx_POXResponseHeaderInfo>
            <imsx_version>V1.0</imsx_version>
            <imsx_messageIdentifier>6620c3f1a9e21</imsx_messageIdentifier>
            <imsx_statusInfo>
                <imsx_codeMajor>success</imsx_codeMajor>
                <imsx_severity>status</imsx_severity>
                <imsx_description>Grade replace response</imsx_description>
                <imsx_messageRefIdentifier>msg-7</imsx_messageRefIdentifier>
                <imsx_operationRefIdentifier>replaceResultRequest</imsx_operationRefIdentifier>
            </imsx_statusInfo>
        </imsx_POXResponseHeaderInfo>
    </imsx_POXHeader>
    <imsx_POXBody><replaceResultResponse/></imsx_POXBody>
</imsx_POXEnvelopeResponse>"""


def test_replace_result_request_document():
    xml = build_replace_result("msg-7", "src-1", 0.92)
    assert xml == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<imsx_POXEnvelopeRequest xmlns="http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0">'
        b"<imsx_POXHeader><imsx_POXRequestHeaderInfo><imsx_version>V1.0</imsx_version>"
        b"<imsx_messageIdentifier>msg-7</imsx_messageIdentifier></imsx_POXRequestHeaderInfo>"
        b"</imsx_POXHeader><imsx_POXBody><replaceResultRequest><resultRecord><sourcedGUID>"
        b"<sourcedId>src-1</sourcedId></sourcedGUID><result><resultScore><language>en</language>"
        b"<textString>0.92</textString></resultScore></result></resultRecord>"
        b"</replaceResultRequest></imsx_POXBody></imsx_POXEnvelopeRequest>"
    )


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        (
            build_replace_result("m1", SOURCEDID, 0.92, text="Bien joué <& 100%>"),
            PoxRequest("m1", "replaceResult", SOURCEDID, 0.92, "Bien joué <& 100%>"),
        ),
        (build_replace_result("m2", "s", 0), PoxRequest("m2", "replaceResult", "s", 0.0, None)),
        (build_replace_result("m3", "s", 1), PoxRequest("m3", "replaceResult", "s", 1.0, None)),
        (
            build_replace_result("m4", "s", 0.00001),
            PoxRequest("m4", "replaceResult", "s", 0.00001, None),
        ),
        (build_read_result("m5", SOURCEDID), PoxRequest("m5", "readResult", SOURCEDID)),
        (build_delete_result("m6", SOURCEDID), PoxRequest("m6", "deleteResult", SOURCEDID)),
    ],
)
def test_request_round_trip(xml, expected):
    assert parse_request(xml) == expected


def test_small_score_is_written_as_a_decimal_not_an_exponent():
    assert b"<textString>0.00001</textString>" in build_replace_result("m", "s", 1e-5)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"operation": "replaceResult", "description": "Score for s is now 0.92"},
            PoxResponse(
                "success", "status", "Score for s is now 0.92", "m1", "replaceResult", None, "r1"
            ),
        ),
        (
            {"operation": "readResult", "score": 0.75},
            PoxResponse("success", "status", None, "m1", "readResult", 0.75, "r1"),
        ),
        (
            {"operation": "readResult"},
            PoxResponse("success", "status", None, "m1", "readResult", None, "r1"),
        ),
        (
            {"operation": "deleteResult"},
            PoxResponse("success", "status", None, "m1", "deleteResult", None, "r1"),
        ),
        (
            {
                "operation": "replaceResult",
                "code_major": "failure",
                "severity": "error",
                "description": "Invalid sourcedid",
            },
            PoxResponse("failure", "error", "Invalid sourcedid", "m1", "replaceResult", None, "r1"),
        ),
        (
            {"operation": "replaceResult", "code_major": "unsupported"},
            PoxResponse("unsupported", "status", None, "m1", "replaceResult", None, "r1"),
        ),
    ],
)
def test_response_round_trip(kwargs, expected):
    xml = build_response(message_id="r1", message_ref="m1", **kwargs)
    assert parse_response(xml) == expected


def test_parse_moodle_style_response():
    response = parse_response(MOODLE_REPLACE_RESPONSE)
    assert response == PoxResponse(
        code_major="success",
        severity="status",
        description="Grade replace response",
        message_ref="msg-7",
        operation="replaceResultRequest",
        score=None,
        message_id="6620c3f1a9e21",
    )
    assert response.is_success is True


def test_response_without_namespace_is_read():
    xml = MOODLE_REPLACE_RESPONSE.replace(
        b' xmlns="http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0"', b""
    )
    assert parse_response(xml).code_major == "success"


def test_xxe_is_refused_and_the_file_never_appears():
    with pytest.raises(PoxError) as caught:
        parse_response(XXE)
    assert str(caught.value) == "POX documents may not declare a DOCTYPE or entities"
    assert "root:" not in str(caught.value)


def test_the_parser_itself_does_not_resolve_external_entities():
    # Defence in depth: even past the byte check, the configured parser leaves &e; unexpanded.
    root = etree.fromstring(XXE, pox._parser())
    text = etree.tostring(root, encoding="unicode")
    assert "root:" not in text
    # ...and the DOCTYPE stays visible, so parse_xml's post-parse check would refuse it.
    assert root.getroottree().docinfo.internalDTD is not None


def test_doctype_hidden_in_utf16_is_refused():
    with pytest.raises(PoxError) as caught:
        parse_response(
            XXE.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode("utf-16")
        )
    assert str(caught.value) == "POX documents must be UTF-8"


def test_billion_laughs_is_refused_quickly():
    started = time.perf_counter()
    with pytest.raises(PoxError):
        parse_response(BILLION_LAUGHS)
    assert time.perf_counter() - started < 0.5


def test_billion_laughs_is_not_expanded_by_the_parser():
    started = time.perf_counter()
    try:
        root = etree.fromstring(BILLION_LAUGHS, pox._parser())
    except etree.XMLSyntaxError:
        root = None
    assert time.perf_counter() - started < 0.5
    if root is not None:
        assert len(etree.tostring(root)) < 10_000


def test_external_dtd_is_refused():
    with pytest.raises(PoxError) as caught:
        parse_response(EXTERNAL_DTD)
    assert str(caught.value) == "POX documents may not declare a DOCTYPE or entities"


def test_oversized_document_is_refused():
    padding = b" " * MAX_POX_BYTES
    with pytest.raises(PoxError) as caught:
        parse_response(MOODLE_REPLACE_RESPONSE + padding)
    assert str(caught.value) == f"POX document larger than {MAX_POX_BYTES} bytes"


@pytest.mark.parametrize("xml", [b"", b"<unclosed>", b"not xml at all", "<a/>"])
def test_malformed_input_is_refused(xml):
    with pytest.raises(PoxError):
        parse_response(xml)


@pytest.mark.parametrize("score", [1.5, -0.1, 1.0000001])
def test_score_out_of_range_is_refused(score):
    with pytest.raises(PoxError) as caught:
        build_replace_result("m", "s", score)
    assert str(caught.value) == (
        f"score must be between 0.0 and 1.0 (LTI 1.1 Basic Outcomes), got {score!r}"
    )


@pytest.mark.parametrize("score", [float("nan"), float("inf"), True, "0.5", None])
def test_score_that_is_not_a_finite_number_is_refused(score):
    with pytest.raises(PoxError) as caught:
        build_replace_result("m", "s", score)
    assert str(caught.value) == f"score must be a finite number, got {score!r}"


@pytest.mark.parametrize(
    ("text_string", "message"),
    [
        (b"1.5", "score must be between 0.0 and 1.0 (LTI 1.1 Basic Outcomes), got 1.5"),
        (b"-0.2", "score '-0.2' is not a decimal number"),
        (b"nan", "score 'nan' is not a decimal number"),
        (b"5e-1", "score '5e-1' is not a decimal number"),
        (b"", "replaceResult needs a resultScore textString"),
    ],
)
def test_incoming_score_out_of_range_is_refused(text_string, message):
    xml = build_replace_result("m", "s", 0.5).replace(b">0.5<", b">" + text_string + b"<")
    with pytest.raises(PoxError) as caught:
        parse_request(xml)
    assert str(caught.value) == message


def test_read_result_response_with_bad_score_is_refused():
    xml = build_response(message_id="r", message_ref="m", operation="readResult", score=0.5)
    with pytest.raises(PoxError):
        parse_response(xml.replace(b">0.5<", b">2<"))


def test_unknown_operation_is_refused():
    xml = build_read_result("m", "s").replace(b"readResultRequest", b"readPersonRequest")
    with pytest.raises(PoxError) as caught:
        parse_request(xml)
    assert str(caught.value) == "unsupported POX operation 'readPersonRequest'"


def test_missing_sourcedid_is_refused():
    with pytest.raises(PoxError):
        build_read_result("m", " ")


def test_unknown_code_major_is_refused():
    xml = MOODLE_REPLACE_RESPONSE.replace(b">success<", b">maybe<")
    with pytest.raises(PoxError) as caught:
        parse_response(xml)
    assert str(caught.value) == "unknown imsx_codeMajor 'maybe'"


def test_request_is_not_accepted_as_a_response():
    with pytest.raises(PoxError) as caught:
        parse_response(build_read_result("m", "s"))
    assert str(caught.value) == "expected imsx_POXEnvelopeResponse, got imsx_POXEnvelopeRequest"


@settings(max_examples=200, deadline=None)
@given(score=st.floats(min_value=0.0, max_value=1.0, allow_nan=False))
def test_any_score_in_range_round_trips_exactly(score):
    assert parse_request(build_replace_result("m", "s", score)).score == score


@settings(max_examples=100, deadline=None)
@given(
    sourcedid=st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80
    ).filter(lambda value: value.strip() == value and value),
    text=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=80),
)
def test_any_sourcedid_and_text_round_trip(sourcedid, text):
    request = parse_request(build_replace_result("m", sourcedid, 0.5, text=text))
    assert (request.sourcedid, request.text or "") == (sourcedid, text)
