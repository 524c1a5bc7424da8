"""Input types of nutrition's request models: the platform's shared ones."""

from fitness_platform.validation import IsoDate, SearchText, Text80, Text100, Text120, Text200

__all__ = ["IsoDate", "SearchText", "Text80", "Text100", "Text120", "Text200"]
