"""Frameworks, competency items, crosswalks and versioned micro-credentials; CASE import/export."""
