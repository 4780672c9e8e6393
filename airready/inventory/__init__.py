"""The inventory stage: read YAML with positions, check it against the format, resolve
references, and hold the validated entities (also the project file and safe writes)."""
