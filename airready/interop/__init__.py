"""Interoperability: outside inventories in (a CycloneDX ML-BOM, the US federal AI use case
inventory) as inventory YAML, and audits out as OSCAL assessment results and a POA&M."""
