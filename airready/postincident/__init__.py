"""After an incident: response metrics, regulatory clocks and actions from Incident
records, and the risk register they feed."""
