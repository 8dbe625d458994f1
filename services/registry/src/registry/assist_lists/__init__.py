"""Assist-investigation lists (协查) pushed down by a higher level, each entry found and reported back."""
