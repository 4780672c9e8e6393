"""airready: check, before an incident, whether an AI estate is ready for one."""

__version__ = "0.1.0"
