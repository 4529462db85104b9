"""The SDMX-ML 2.1 structure message written beside the SDMX-CSV files (``structure.xml``).

It holds, for the dataflows exported: the agency (``CORRIDORS`` in the agency scheme
``SDMX:AGENCIES(1.0)``, as a .Stat Suite or FMR space declares a local agency), the dataflows,
their data structure definitions (dimensions with the time dimension last, observation-level
attributes, the primary measure ``OBS_VALUE``), the concept scheme ``CORRIDORS:CS_CORRIDORS`` and
the code lists. Code lists of the SDMX global registry are written as external references
(``isExternalReference="true"`` with their registry URL) carrying the codes used; corridors' own
are written in full but not final (``isFinal="false"``), since the codes made from an export's
values (lenses, surveys, indicators, domains) depend on what was exported.

Written with the standard library; it validates against the official SDMX-ML 2.1 schemas and reads
back with ``sdmx1`` (see tests/analytics/test_sdmx.py).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

from .structures import AGENCY, CODELISTS, CONCEPTS, Code, Codelist, Component, Dataflow

NS = {
    "mes": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message",
    "str": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure",
    "com": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common",
}
for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CONCEPT_SCHEME = ("CS_CORRIDORS", "1.0")
URN = "urn:sdmx:org.sdmx.infomodel"


def _q(tag: str) -> str:
    prefix, name = tag.split(":")
    return f"{{{NS[prefix]}}}{name}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, _q(tag), attrib)
    if text is not None:
        element.text = text
    return element


def _names(parent: ET.Element, name: str, description: str = "") -> None:
    _sub(parent, "com:Name", name, **{XML_LANG: "en"})
    if description:
        _sub(parent, "com:Description", description, **{XML_LANG: "en"})


def _ref(parent: ET.Element, **attrib: str) -> ET.Element:
    return ET.SubElement(parent, "Ref", attrib)  # Ref is unqualified in SDMX-ML 2.1


def _maintainable(parent: ET.Element, tag: str, urn_class: str, agency: str, id_: str,
                  version: str, *, final: bool, external_url: str | None = None) -> ET.Element:
    attrib = {"id": id_, "agencyID": agency, "version": version,
              "urn": f"{URN}.{urn_class}={agency}:{id_}({version})",
              "isFinal": str(final).lower(), "isExternalReference": str(bool(external_url)).lower()}
    if external_url:
        attrib["structureURL"] = external_url
    return _sub(parent, tag, **attrib)


def _codelist(parent: ET.Element, cl: Codelist, codes: list[Code]) -> None:
    element = _maintainable(parent, "str:Codelist", "codelist.Codelist", cl.agency, cl.id,
                            cl.version, final=cl.is_global,
                            external_url=cl.url if cl.is_global else None)
    _names(element, cl.name, cl.description)
    for code in codes:
        item = _sub(element, "str:Code", id=code.id,
                    urn=f"{URN}.codelist.Code={cl.agency}:{cl.id}({cl.version}).{code.id}")
        if code.m49 is not None:
            annotations = _sub(item, "com:Annotations")
            annotation = _sub(annotations, "com:Annotation")
            _sub(annotation, "com:AnnotationTitle", f"{code.m49:03d}")
            _sub(annotation, "com:AnnotationType", "M49")
        _names(item, code.name, code.description)


def _concept_ref(parent: ET.Element, concept: str) -> None:
    identity = _sub(parent, "str:ConceptIdentity")
    _ref(identity, id=concept, maintainableParentID=CONCEPT_SCHEME[0],
         maintainableParentVersion=CONCEPT_SCHEME[1], agencyID=AGENCY, package="conceptscheme",
         **{"class": "Concept"})


def _representation(parent: ET.Element, comp: Component) -> None:
    representation = _sub(parent, "str:LocalRepresentation")
    if comp.codelist is None:
        _sub(representation, "str:TextFormat", textType=comp.text_type)
        return
    cl = CODELISTS[comp.codelist]
    _ref(_sub(representation, "str:Enumeration"), id=cl.id, version=cl.version,
         agencyID=cl.agency, package="codelist", **{"class": "Codelist"})


def _dsd(parent: ET.Element, flow: Dataflow) -> None:
    dsd = _maintainable(parent, "str:DataStructure", "datastructure.DataStructure", flow.agency,
                        flow.dsd_id, flow.version, final=False)
    _names(dsd, flow.name, flow.description)
    components = _sub(dsd, "str:DataStructureComponents")
    dimensions = _sub(components, "str:DimensionList", id="DimensionDescriptor")
    for position, comp in enumerate(flow.dimensions, start=1):
        tag = "str:TimeDimension" if comp.concept == "TIME_PERIOD" else "str:Dimension"
        element = _sub(dimensions, tag, id=comp.concept, position=str(position))
        _concept_ref(element, comp.concept)
        _representation(element, comp)
    attributes = _sub(components, "str:AttributeList", id="AttributeDescriptor")
    for comp in flow.attributes:
        element = _sub(attributes, "str:Attribute", id=comp.concept,
                       assignmentStatus="Mandatory" if comp.mandatory else "Conditional")
        _concept_ref(element, comp.concept)
        _representation(element, comp)
        _ref(_sub(_sub(element, "str:AttributeRelationship"), "str:PrimaryMeasure"),
             id="OBS_VALUE")
    measures = _sub(components, "str:MeasureList", id="MeasureDescriptor")
    measure = _sub(measures, "str:PrimaryMeasure", id="OBS_VALUE")
    _concept_ref(measure, "OBS_VALUE")
    _sub(_sub(measure, "str:LocalRepresentation"), "str:TextFormat", textType=flow.measure_type)


def structure_message(flows: list[Dataflow], codes: dict[str, list[Code]],
                      prepared: datetime | None = None) -> ET.ElementTree:
    """The structure message for ``flows``, with the ``codes`` each code list uses."""
    prepared = prepared or datetime.now(UTC).replace(microsecond=0)
    root = ET.Element(_q("mes:Structure"))
    head = _sub(root, "mes:Header")
    _sub(head, "mes:ID", f"CORRIDORS_STRUCTURE_{prepared:%Y%m%dT%H%M%S}")
    _sub(head, "mes:Test", "false")
    _sub(head, "mes:Prepared", prepared.strftime("%Y-%m-%dT%H:%M:%SZ"))
    _sub(head, "mes:Sender", id=AGENCY)
    structures = _sub(root, "mes:Structures")

    agencies = _maintainable(_sub(structures, "str:OrganisationSchemes"), "str:AgencyScheme",
                             "base.AgencyScheme", "SDMX", "AGENCIES", "1.0", final=False)
    _names(agencies, "Agencies")
    agency = _sub(agencies, "str:Agency", id=AGENCY, urn=f"{URN}.base.Agency={AGENCY}")
    _names(agency, "corridors, the South–South Mobility Observatory",
           "The maintainer of corridors' own dataflows and code lists; not registered with the "
           "SDMX Global Registry.")

    dataflows = _sub(structures, "str:Dataflows")
    for flow in flows:
        element = _maintainable(dataflows, "str:Dataflow", "datastructure.Dataflow", flow.agency,
                                flow.id, flow.version, final=False)
        _names(element, flow.name, flow.description)
        _ref(_sub(element, "str:Structure"), id=flow.dsd_id, version=flow.version,
             agencyID=flow.agency, package="datastructure", **{"class": "DataStructure"})

    codelists = _sub(structures, "str:Codelists")
    for cl_id in sorted(codes, key=lambda c: (not CODELISTS[c].is_global, c)):
        _codelist(codelists, CODELISTS[cl_id], codes[cl_id])

    used = {c.concept for flow in flows for c in flow.components} | {"OBS_VALUE"}
    scheme = _maintainable(_sub(structures, "str:Concepts"), "str:ConceptScheme",
                           "conceptscheme.ConceptScheme", AGENCY, *CONCEPT_SCHEME, final=False)
    _names(scheme, "Concepts of corridors' dataflows")
    for concept in (c for c in CONCEPTS.values() if c.id in used):
        element = _sub(scheme, "str:Concept", id=concept.id,
                       urn=f"{URN}.conceptscheme.Concept={AGENCY}:{CONCEPT_SCHEME[0]}"
                           f"({CONCEPT_SCHEME[1]}).{concept.id}")
        _names(element, concept.name, concept.description)

    dsds = _sub(structures, "str:DataStructures")
    for flow in flows:
        _dsd(dsds, flow)
    tree = ET.ElementTree(root)
    ET.indent(tree)
    return tree


def write_structure(path: Path, flows: list[Dataflow], codes: dict[str, list[Code]]) -> Path:
    structure_message(flows, codes).write(path, encoding="utf-8", xml_declaration=True)
    return path
