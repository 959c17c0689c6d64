"""Placeholder: rules are being added."""
