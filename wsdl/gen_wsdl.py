#!/usr/bin/env python3
"""Writes the WSDL 1.1 file of a service from its operation list, so every edugate WSDL has the
same shape: WS-I BP 1.2, SOAP 1.1 document/literal, one portType, wsam:Action per operation.
The WSDLs are committed; run this only when an operation list changes."""
import sys

SERVICES = {
    "leerbedrijf": ("Leerbedrijf", "lb", ["IdentificeerLeerbedrijf", "VerifieerErkenning", "GeefLeerbedrijfDetails",
                                          "ZoekLeerbedrijven", "VoordragenErkenning", "HaalMutatiesOp"]),
    "bpvmonitor": ("BpvMonitor", "bpv", ["LeverStudentgegevensAan", "CorrigeerStudentgegeven", "TrekStudentgegevenIn",
                                         "VraagResultatenOp", "VraagResponsrecordsOp"]),
    "schoolontvangst": ("Schoolontvangst", "so", ["OntvangMonitorresultaten", "OntvangErkenningmutaties"]),
    "praktijkloket": ("Praktijkloket", "pl", ["VoegDeelnemerToe", "VoegDeelnemersToe", "WijzigDeelnemer",
                                             "ArchiveerDeelnemer", "HerstelDeelnemer", "VerwijderDeelnemer",
                                             "ZoekDeelnemers", "GeefPraktijkopleiders", "VoegPraktijkopleiderToe",
                                             "MaakBegeleidingsdocument", "WijzigBegeleidingsdocument",
                                             "RondBegeleidingsdocumentAf", "GeefBegeleidingsdocument",
                                             "MaakPraktijkverklaring", "WijzigPraktijkverklaring",
                                             "MaakPraktijkverklaringDefinitief", "VerwijderPraktijkverklaring",
                                             "GeefPraktijkverklaring", "GeefKwalificaties", "GeefWerkprocessen"]),
}


def wsdl(service):
    name, prefix, ops = SERVICES[service]
    ns = f"urn:edugate:{service}:1"
    out = [f'''<?xml version="1.0" encoding="UTF-8"?>
<!-- edugate {name} service. WS-I Basic Profile 1.2: SOAP 1.1, document/literal, one portType,
     wsam:Action per operation. Do not add a SOAP 1.2 binding. Written by gen_wsdl.py. -->
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
                  xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
                  xmlns:wsam="http://www.w3.org/2007/05/addressing/metadata"
                  xmlns:xs="http://www.w3.org/2001/XMLSchema"
                  xmlns:{prefix}="{ns}"
                  name="{name}"
                  targetNamespace="{ns}">
  <wsdl:types>
    <xs:schema>
      <xs:import namespace="{ns}" schemaLocation="{service}.xsd"/>
    </xs:schema>
  </wsdl:types>
''']
    for o in ops:
        out.append(f'''  <wsdl:message name="{o}Verzoek"><wsdl:part name="parameters" element="{prefix}:{o}Verzoek"/></wsdl:message>
  <wsdl:message name="{o}Antwoord"><wsdl:part name="parameters" element="{prefix}:{o}Antwoord"/></wsdl:message>
''')
    out.append(f'  <wsdl:portType name="{name}PortType">\n')
    for o in ops:
        out.append(f'''    <wsdl:operation name="{o}">
      <wsdl:input message="{prefix}:{o}Verzoek" wsam:Action="{ns}:{o}"/>
      <wsdl:output message="{prefix}:{o}Antwoord" wsam:Action="{ns}:{o}Antwoord"/>
    </wsdl:operation>
''')
    out.append(f'''  </wsdl:portType>
  <wsdl:binding name="{name}Binding" type="{prefix}:{name}PortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
''')
    for o in ops:
        out.append(f'''    <wsdl:operation name="{o}">
      <soap:operation soapAction="{ns}:{o}" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
''')
    out.append(f'''  </wsdl:binding>
  <wsdl:service name="{name}Service">
    <wsdl:port name="{name}Port" binding="{prefix}:{name}Binding">
      <soap:address location="https://localhost:8443/edukoppeling/{service}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
''')
    return "".join(out)


if __name__ == "__main__":
    for s in sys.argv[1:] or SERVICES:
        open(f"{s}.wsdl", "w").write(wsdl(s))
