"""IBM i2 Analyst's Notebook chart XML (ANX).

The chart has the shape Analyst's Notebook imports::

    Chart
      LinkTypeCollection / LinkType(Name)
      EntityTypeCollection / EntityType(Name, IconFile)
      AttributeClassCollection / AttributeClass(Name, Type)
      ChartItemCollection
        ChartItem(Label, Description, XPosition)          one per entity
          End / Entity(EntityId, Identity) / Icon / IconStyle(Type)
          AttributeCollection / Attribute(AttributeClass, Value)
        ChartItem(Label, Description)                     one per link
          Link(End1Id, End2Id) / LinkStyle(Type, ArrowStyle, Strength)

``EntityId`` and ``Identity`` are both ``V`` plus Vigil's deterministic entity id, so a
link end resolves whichever of the two the importer uses, and importing two exports into one
chart merges the same phone number, wallet or account instead of duplicating it. Entity types
use names from i2's standard icon palette; an unknown icon shows as the default icon.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from vigil.intel.model import EntityType, Relation, Resolution

ICONS: dict[EntityType, str] = {
    EntityType.PERSON: "Person",
    EntityType.ACCOUNT: "Internet Account",
    EntityType.PHONE: "Mobile Phone",
    EntityType.EMAIL: "Email",
    EntityType.WALLET: "Account",
    EntityType.URL: "Web Site",
    EntityType.IP: "IP Address",
    EntityType.BANK_ACCOUNT: "Bank Account",
    EntityType.POSTCODE: "Address",
    EntityType.CONVERSATION: "Communication",
    EntityType.CASE: "Operation",
}
TYPE_NAMES: dict[EntityType, str] = {
    EntityType.PERSON: "Person",
    EntityType.ACCOUNT: "Online Account",
    EntityType.PHONE: "Telephone",
    EntityType.EMAIL: "Email Address",
    EntityType.WALLET: "Crypto Wallet",
    EntityType.URL: "Web Address",
    EntityType.IP: "IP Address",
    EntityType.BANK_ACCOUNT: "Bank Account",
    EntityType.POSTCODE: "Postcode",
    EntityType.CONVERSATION: "Conversation",
    EntityType.CASE: "Case",
}
ATTRIBUTES = ("Value", "Platform", "Cases", "Vigil Id")
_ARROW = {Relation.POSSIBLY_SAME: "ArrowNone", Relation.IN_CASE: "ArrowOnHead"}


def _sub(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})


def _ref(entity_id: str) -> str:
    return "V" + entity_id


def render(res: Resolution) -> str:
    """The chart as an XML string (UTF-8 declaration included)."""
    chart = ET.Element("Chart", {"IdReferenceLinking": "false", "Rigorous": "true"})
    lt = _sub(chart, "LinkTypeCollection")
    for rel in Relation:
        _sub(lt, "LinkType", Name=rel.value.replace("_", " "), Colour="0")
    et = _sub(chart, "EntityTypeCollection")
    for etype, name in TYPE_NAMES.items():
        _sub(et, "EntityType", Name=name, IconFile=ICONS[etype])
    ac = _sub(chart, "AttributeClassCollection")
    for name in ATTRIBUTES:
        _sub(ac, "AttributeClass", Name=name, Type="AttText", ShowValue="true", Visible="true")
    items = _sub(chart, "ChartItemCollection")
    for i, e in enumerate(sorted(res.entities.values(), key=lambda x: (x.type.value, x.label))):
        item = _sub(items, "ChartItem", Label=e.label, Description=f"{e.type.value}: {e.value}",
                    XPosition=str(100 * (i % 20)), DateSet="false")  # fmt: skip
        end = _sub(item, "End")
        ent = _sub(end, "Entity", EntityId=_ref(e.id), Identity=_ref(e.id), LabelIsIdentity="false")
        icon = _sub(ent, "Icon")
        _sub(icon, "IconStyle", Type=TYPE_NAMES[e.type])
        attrs = _sub(item, "AttributeCollection")
        values = {"Value": e.value, "Platform": e.platform or "", "Cases": ", ".join(sorted(e.cases)),
                  "Vigil Id": e.id}  # fmt: skip
        for name, value in values.items():
            if value:
                _sub(attrs, "Attribute", AttributeClass=name, Value=value)
    for lk in res.links.values():
        label = lk.relation.value.replace("_", " ")
        item = _sub(items, "ChartItem", Label=f"{label} ({lk.count})" if lk.count > 1 else label,
                    Description="\n".join(lk.reasons), DateSet="false")  # fmt: skip
        link = _sub(item, "Link", End1Id=_ref(lk.source), End2Id=_ref(lk.target))
        _sub(link, "LinkStyle", Type=label, ArrowStyle=_ARROW.get(lk.relation, "ArrowOnHead"),
             Strength="1" if lk.relation is not Relation.POSSIBLY_SAME else "2",
             MlStyle="MultiplicityMultiple")  # fmt: skip
    ET.indent(chart)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(chart, encoding="unicode") + "\n"
    )
