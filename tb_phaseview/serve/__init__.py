"""Turning analyses into answers: the JSON wire format, the analysis cache, bounded regex search."""
