"""Attacks in the style of torchattacks: one file per attack, shared norm and domain helpers."""
