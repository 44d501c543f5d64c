"""Checklist templates (inspection_templates/), their rule language, and evaluation."""
